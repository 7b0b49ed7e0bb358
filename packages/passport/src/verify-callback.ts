import type { Actions, VerifyDone } from './types.js';

/** How an app's verify callback answered: a user, a refusal (with `done`'s info), or an error. */
export type VerifyOutcome =
  | { kind: 'user'; user: Express.User; info?: object }
  | { kind: 'refused'; info?: object }
  | { kind: 'error'; error: unknown };

/** Passport treats a falsy error as "no error" and would carry on as if signed in. */
export function errorOf(reason: unknown): unknown {
  return reason || new Error('The verify callback failed without an error');
}

/**
 * Run an app's verify callback the way passport-local users expect: it may call `done`, return a
 * promise of the user (or `false`), or throw; the first answer counts. `args` are the arguments
 * before `done` (`[account]`, or `[req, account]`).
 */
export function callVerify(
  verify: (...args: never[]) => unknown,
  args: readonly unknown[],
): Promise<VerifyOutcome> {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (outcome: VerifyOutcome): void => {
      if (answered) return;
      answered = true;
      resolve(outcome);
    };
    const done: VerifyDone = (error, user, info) => {
      if (error) answer({ kind: 'error', error });
      else if (!user) answer({ kind: 'refused', ...(info === undefined ? {} : { info }) });
      else answer({ kind: 'user', user, ...(info === undefined ? {} : { info }) });
    };
    // An async callback that declares `done` resolves with undefined and answers through done.
    const takesDone = verify.length > args.length;
    new Promise<unknown>((returned) =>
      returned((verify as (...a: unknown[]) => unknown)(...args, done)),
    ).then(
      (user) => {
        if (user === undefined && takesDone) return;
        if (user === true) {
          answer({ kind: 'error', error: new TypeError('The verify callback resolved with true') });
        } else if (user) answer({ kind: 'user', user: user as Express.User });
        else answer({ kind: 'refused' });
      },
      (error: unknown) => answer({ kind: 'error', error: errorOf(error) }),
    );
  });
}

/** The actions of one attempt, of which only the first call counts (settle once). */
export function settleOnce(strategy: Actions): Actions {
  let settled = false;
  const act =
    <A extends unknown[]>(action: (...args: A) => void) =>
    (...args: A): void => {
      if (settled) return;
      settled = true;
      try {
        action(...args);
      } catch (error) {
        // The app's own code threw (a custom callback): neither swallow it nor settle twice.
        process.nextTick(() => {
          throw error;
        });
      }
    };
  return {
    success: act((user, info) => strategy.success(user, info)),
    fail: act((challenge, status) => strategy.fail(challenge, status)),
    pass: act(() => strategy.pass()),
    error: act((error) => strategy.error(error)),
  };
}
