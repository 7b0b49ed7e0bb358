/**
 * express-session made to fail at sign-in, for the Express and Passport tests that check a
 * sign-in whose cookie session cannot be written ends the revocable session it created: a store
 * whose `set` fails, or sessions whose `regenerate` fails. Typed structurally, so this package
 * needs no express-session of its own: each test passes the `session` it imports.
 */

/** What fails: the session store's `set`, `regenerate`, or nothing. */
export type SessionFailure = 'set' | 'regenerate' | 'none';

type Done = (error?: unknown) => void;
type Handler = (req: never, res: never, next: Done) => void;
interface SessionRequest {
  session?: { regenerate: (done: Done) => unknown };
}

/** A session store whose `set` can be replaced (express-session's `MemoryStore`). */
interface StoreLike {
  set(sid: string, data: never, done?: Done): void;
}

/** express-session's default export, as far as this file uses it. */
export interface SessionFactory<Store extends StoreLike> {
  (options: { secret: string; resave: boolean; saveUninitialized: boolean; store: Store }): Handler;
  MemoryStore: new () => Store;
}

/**
 * express-session over a memory store, failing as `failing` says: one mode throughout, or a
 * function read on every request and store write (to fail only a later sign-in).
 */
export function failingSession<Store extends StoreLike>(
  session: SessionFactory<Store>,
  mode: SessionFailure | (() => SessionFailure),
) {
  const failing = typeof mode === 'function' ? mode : () => mode;
  const store = new session.MemoryStore();
  const set = store.set.bind(store);
  (store as StoreLike).set = (sid, data, done) => {
    if (failing() === 'set') done?.(new Error('store down'));
    else set(sid, data, done);
  };
  const middleware = session({
    secret: 'cookie-secret',
    resave: false,
    saveUninitialized: false,
    store,
  });
  return (req: SessionRequest, res: unknown, next: Done): void =>
    middleware(req as never, res as never, () => {
      if (failing() === 'regenerate' && req.session) {
        req.session.regenerate = (done) => {
          done(new Error('regenerate failed'));
          return req.session;
        };
      }
      next();
    });
}

/** Records every session id `sessions.end` is asked to end (the call still goes through). */
export function watchEnds(sessions: {
  end: (sid: string, reason?: never) => Promise<boolean>;
}): string[] {
  const ended: string[] = [];
  const end = sessions.end.bind(sessions);
  sessions.end = async (sid, reason) => {
    ended.push(sid);
    return end(sid, reason);
  };
  return ended;
}
