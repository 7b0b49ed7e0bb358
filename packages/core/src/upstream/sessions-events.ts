import type { SessionEndReason } from './sessions-store.js';

/**
 * What {@link UpstreamSessions} reports. Never a password, token, cookie or session id: sessions
 * are named by their public id (`session`), identifiers by a keyed hash (`identifierHash`).
 */
export type UpstreamSessionEvent =
  | {
      type: 'sign-in';
      provider: string;
      subject: string;
      session: string;
      at: Date;
    }
  | {
      type: 'sign-in.failed';
      provider: string;
      identifierHash: string;
      ip?: string;
      /** The precise reason; the user only ever sees invalid credentials / rate limited / unavailable. */
      reason:
        | 'invalid_credentials'
        | 'account_inactive'
        | 'rate_limited'
        | 'unavailable'
        | 'malformed'
        | 'bad_request';
      at: Date;
    }
  | {
      /** A sign-up attempt refused by the per-IP sign-up limit (`attemptSignUp`). */
      type: 'sign-up.limited';
      provider: string;
      ip: string;
      /** How long until this IP may try again. */
      retryAfterInMilliseconds: number;
      at: Date;
    }
  | { type: 'refresh'; provider: string; session: string; generation: number; at: Date }
  | {
      type: 'refresh.rejected';
      provider: string;
      session: string;
      /** `rejected`: the upstream refused the refresh token; `lost`: the answer was lost twice. */
      reason: 'rejected' | 'lost';
      /** Generation of the refused tokens. */
      generation: number;
      /** Age of the refused tokens: a rejection right after a rotation hints at a stolen token. */
      ageMs: number;
      at: Date;
    }
  | {
      type: 'refresh.failed';
      provider: string;
      session: string;
      /** The session is kept; the current access token is served while it lasts. */
      reason: 'unavailable' | 'malformed' | 'unknown_outcome' | 'timeout';
      generation: number;
      at: Date;
    }
  | {
      type: 'ended';
      provider: string;
      /** The public id of the ended session; absent when several ended at once (`count`). */
      session?: string;
      /** Set when the app named the subject (`endAll`). */
      subject?: string;
      reason: SessionEndReason;
      count: number;
      at: Date;
    };

/** The names of {@link UpstreamSessionEvent}s. */
export type UpstreamSessionEventType = UpstreamSessionEvent['type'];

/** A listener of one event type. */
export type UpstreamSessionEventListener<T extends UpstreamSessionEventType> = (
  event: Extract<UpstreamSessionEvent, { type: T }>,
) => void;

/** A small typed emitter; a throwing listener is reported and never breaks the operation. */
export class SessionEvents {
  private readonly listeners = new Map<string, Set<(event: UpstreamSessionEvent) => void>>();

  constructor(private readonly onListenerError: (type: string, error: unknown) => void) {}

  on<T extends UpstreamSessionEventType>(
    type: T,
    listener: UpstreamSessionEventListener<T>,
  ): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('UpstreamSessions.on: the listener must be a function');
    }
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    const entry = (event: UpstreamSessionEvent): void =>
      (listener as (event: UpstreamSessionEvent) => void)(event);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit(event: UpstreamSessionEvent): void {
    const set = this.listeners.get(event.type);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        const result: unknown = (listener as (event: UpstreamSessionEvent) => unknown)(event);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onListenerError(event.type, error));
        }
      } catch (error) {
        this.onListenerError(event.type, error);
      }
    }
  }
}
