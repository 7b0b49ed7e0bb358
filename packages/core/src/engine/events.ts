import type { OTPEvent, OTPEventType } from '../otp-types.js';

/** A listener of one event type. */
export type OTPEventListener<T extends OTPEventType> = (
  event: Extract<OTPEvent, { type: T }>,
) => void;

/**
 * A minimal typed event emitter. A listener that throws (or returns a rejected promise) is
 * reported through `onListenerError` and never breaks the operation that emitted the event.
 */
export class OTPEvents {
  private readonly listeners = new Map<OTPEventType, Set<(event: OTPEvent) => void>>();

  constructor(private readonly onListenerError: (type: OTPEventType, error: unknown) => void) {}

  /** Subscribe; returns a function that unsubscribes. */
  on<T extends OTPEventType>(type: T, listener: OTPEventListener<T>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('OTPEngine.on: the listener must be a function');
    }
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    // One wrapper per subscription, so the same function can be subscribed twice and removed once.
    const wrapped = listener as (event: OTPEvent) => void;
    const entry = (event: OTPEvent): void => wrapped(event);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** `true` when someone listens to `type` (to skip building events nobody reads). */
  has(type: OTPEventType): boolean {
    return (this.listeners.get(type)?.size ?? 0) > 0;
  }

  emit(event: OTPEvent): void {
    const set = this.listeners.get(event.type);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        const result: unknown = (listener as (event: OTPEvent) => unknown)(event);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onListenerError(event.type, error));
        }
      } catch (error) {
        this.onListenerError(event.type, error);
      }
    }
  }
}
