/**
 * Which revocable sessions end when a browser signs in or out: the decision Express's `host.ts`
 * (`signInHere`, `signOutHere`, `destroyHere`) and Passport's `keepOnLogIn` share. The adapter
 * keeps its host's mechanics (calling `regenerate` and `save`, or wrapping Passport's) and reports
 * what happened; this piece ends exactly the right sessions, each at most once, and never the one
 * the new cookie session names. Framework-neutral: nothing here imports a host.
 *
 * @module
 */

/** A revocable session a sign-in or sign-out may end: its id, and how to end it. */
export interface SwapSession {
  /** The session id (a secret: never logged or answered). */
  readonly sid: string;
  /** Ends the session `sid` in its store (the adapter binds the store, and a reason if it has one). */
  end(sid: string): Promise<unknown>;
}

/**
 * Where a {@link SessionSwap} is: `open` until a saved cookie session holds the new session
 * (`kept`) or nobody will (`ended`).
 */
export type SessionSwapState = 'open' | 'kept' | 'ended';

/** What {@link createSessionSwap} is given. */
export interface SessionSwapInput<H extends SwapSession = SwapSession> {
  /**
   * The revocable sessions the old cookie session held, read before `regenerate` drops them (this
   * router's or strategy's, and the app's other ones'). One with the new session's id is never
   * ended.
   */
  held: readonly H[];
  /** The new session the sign-in created, if it has a revocable one. Unset for a sign-out. */
  fresh?: SwapSession | undefined;
}

/** The host's events, reported by the adapter; see {@link createSessionSwap}. */
export interface SessionSwap<H extends SwapSession = SwapSession> {
  /** `open`, `kept` or `ended`. */
  readonly state: SessionSwapState;
  /** `regenerate` succeeded: the old cookie session is gone, nobody can present what it held. */
  regenerated(): void;
  /**
   * The new cookie session is saved: it holds the new session (`kept`), and the held ones are
   * ended, in order, except those `named` says the new cookie session still names. A failure to
   * end one fails nothing. Nothing happens unless `open`.
   */
  saved(named?: (held: H) => boolean): Promise<void>;
  /**
   * No cookie session will hold the new session (`regenerate` or the save failed, the host failed
   * after `regenerate`, or the sign-in ended without a cookie session): it is ended (`ended`), and
   * the held ones too once `regenerate` succeeded (a failed one may have left the old cookie
   * session intact: they are kept). When `regenerate` has not run and `claimed` answers `true`
   * (the app took the new session's id itself), nothing ends and it stays `open`. Failures to end
   * are ignored. Nothing happens unless `open`.
   */
  abandoned(claimed?: () => boolean): Promise<void>;
  /**
   * The browser signs out: the held sessions not yet ended are ended, in order (`ended`). The
   * first failure rejects (the rest are not tried), so the adapter drops nothing and the user can
   * retry.
   */
  signedOut(): Promise<void>;
}

/**
 * One sign-in's (or sign-out's) decision of which revocable sessions end. Ends run one after
 * another: the new session first, then the held ones in the order given.
 *
 * @example
 * ```ts
 * const swap = createSessionSwap({ held: [{ sid: old, end: (sid) => sessions.end(sid) }], fresh });
 * try {
 *   await regenerate();
 *   swap.regenerated();
 *   await save();
 * } catch (error) {
 *   await swap.abandoned();
 *   throw error;
 * }
 * await swap.saved();
 * ```
 */
export function createSessionSwap<H extends SwapSession>(
  input: SessionSwapInput<H>,
): SessionSwap<H> {
  const fresh = input.fresh;
  /** The held sessions not ended yet (never the new one). */
  let left = input.held.filter((held) => held.sid !== fresh?.sid);
  let state: SessionSwapState = 'open';
  let regenerated = false;

  // Ends the held sessions `keep` refuses, each at most once, in order; a failure is ignored.
  async function endHeld(keep: (held: H) => boolean): Promise<void> {
    const ending = left.filter((held) => !keep(held));
    left = left.filter(keep);
    for (const held of ending) await held.end(held.sid).catch(() => undefined);
  }

  return {
    get state() {
      return state;
    },
    regenerated() {
      regenerated = true;
    },
    async saved(named) {
      if (state !== 'open') return;
      state = 'kept';
      await endHeld((held) => named?.(held) === true);
    },
    async abandoned(claimed) {
      if (state !== 'open') return;
      if (!regenerated && claimed?.() === true) return;
      state = 'ended';
      if (fresh !== undefined) await fresh.end(fresh.sid).catch(() => undefined);
      if (regenerated) await endHeld(() => false);
    },
    async signedOut() {
      while (left.length > 0) {
        const held = left[0]!;
        await held.end(held.sid);
        left = left.filter((other) => other !== held);
      }
      state = 'ended';
    },
  };
}
