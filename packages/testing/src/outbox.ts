import type { Delivery, Outbox } from './types.js';

/** `+977 98-1234 5678`, `00977…`, `977…` and `98…` all become `9812345678`. */
export function toNationalNumber(number: string): string {
  const digits = number.replace(/[\s\-()]/g, '');
  const match = /^(?:\+|00)?977(\d{10})$/.exec(digits);
  return match ? match[1]! : digits;
}

interface Waiter {
  readonly number: string;
  readonly resolve: (delivery: Delivery) => void;
}

/** The in-memory outbox of delivered OTPs. */
export class MemoryOutbox implements Outbox {
  private readonly deliveries: Delivery[] = [];
  private readonly listeners = new Set<(delivery: Delivery) => void>();
  private readonly waiters = new Set<Waiter>();

  get messages(): readonly Delivery[] {
    return this.deliveries;
  }

  last(number?: string): Delivery | undefined {
    const wanted = number === undefined ? undefined : toNationalNumber(number);
    for (let index = this.deliveries.length - 1; index >= 0; index--) {
      const delivery = this.deliveries[index]!;
      if (wanted === undefined || toNationalNumber(delivery.number) === wanted) return delivery;
    }
    return undefined;
  }

  waitFor(
    number: string,
    options: { readonly timeoutInMilliseconds?: number; readonly after?: Date } = {},
  ): Promise<Delivery> {
    const wanted = toNationalNumber(number);
    const { after, timeoutInMilliseconds = 5000 } = options;
    if (after !== undefined) {
      const existing = this.deliveries.find(
        (delivery) =>
          toNationalNumber(delivery.number) === wanted && delivery.at.getTime() > after.getTime(),
      );
      if (existing !== undefined) return Promise.resolve(existing);
    }
    return new Promise<Delivery>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`No OTP delivered to ${wanted} within ${timeoutInMilliseconds} ms`));
      }, timeoutInMilliseconds);
      const waiter: Waiter = {
        number: wanted,
        resolve: (delivery) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(delivery);
        },
      };
      this.waiters.add(waiter);
    });
  }

  subscribe(listener: (delivery: Delivery) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  clear(): void {
    this.deliveries.length = 0;
  }

  /** Records a delivery and tells waiters and subscribers. */
  push(delivery: Delivery): void {
    this.deliveries.push(delivery);
    const number = toNationalNumber(delivery.number);
    for (const waiter of [...this.waiters]) {
      if (waiter.number === number) waiter.resolve(delivery);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(delivery);
      } catch {
        // A failing test listener must not break the fake's answer.
      }
    }
  }
}
