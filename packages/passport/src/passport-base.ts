import { Strategy as PassportStrategy } from 'passport-strategy';

/**
 * The actions Passport adds to the per-request copy of a strategy (`Object.create(strategy)`)
 * before it calls `authenticate`. A strategy ends each attempt in exactly one of them.
 */
export interface StrategyActions {
  /** Sign `user` in (Passport logs in, or hands `user` to a custom callback). */
  success(user: Express.User, info?: object): void;
  /** Refuse the attempt with a challenge and an HTTP status. */
  fail(challenge: unknown, status: number): void;
  /** Redirect the user agent. */
  redirect(url: string, status?: number): void;
  /** Neither success nor failure: Passport calls the app's next handler. */
  pass(): void;
  /** An internal error: Passport hands it to `next(err)` or the custom callback. */
  error(error: unknown): void;
}

/**
 * passport-strategy's `Strategy`, typed by this package rather than by `@types/passport-strategy`,
 * so the published declarations need neither it nor the Express types it pulls in.
 */
export const StrategyBase: abstract new () => StrategyActions =
  PassportStrategy as unknown as abstract new () => StrategyActions;
