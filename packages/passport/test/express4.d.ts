// `express4` is `npm:express@4.22.x`; @types/express describes 5, which is close enough for tests.
declare module 'express4' {
  import express from 'express';
  export default express;
}
