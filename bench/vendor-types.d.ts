// bench/package.json lists no @types for express, passport and passport-local (the lockfile is
// the lead's), so their types come from the copies @tingting-auth/passport installs for its
// tests, through the `bench-types/*` alias of tsconfig.json. The alias lives in type space only:
// no import at run time names it, so tsx (which applies `paths` too) never resolves it.
declare module 'express' {
  import express = require('bench-types/express');
  export = express;
}
declare module 'passport' {
  import passport = require('bench-types/passport');
  export = passport;
}
declare module 'passport-local' {
  export * from 'bench-types/passport-local';
}
