import { inspect } from 'node:util';
import {
  type FakeNotes,
  type FakeNotesOptions,
  type FakeTimbr,
  type FakeTimbrOptions,
  type FakeTingTing,
  type FakeTingTingOptions,
  startFakeNotes,
  startFakeTimbr,
  startFakeTingTing,
} from '@tingting-auth/testing';
import { afterEach, expect } from 'vitest';
import type { CallCtx } from '../../src/upstream/index.js';
import { type ManualClock, manualClock } from '../helpers.js';

export { rejectionOf } from '../client/helpers.js';

const started: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** One clock for the fake and for the provider calls, on a whole second (JWT times are seconds). */
export function clock(): ManualClock {
  return manualClock(Date.UTC(2026, 0, 15, 6, 0, 0));
}

/** The ctx of a provider call on `now`. */
export function ctxOf(
  now: () => number,
  signal: AbortSignal = new AbortController().signal,
): CallCtx {
  return { signal, now };
}

export async function timbr(options: FakeTimbrOptions = {}): Promise<FakeTimbr> {
  const fake = await startFakeTimbr(options);
  started.push(fake);
  return fake;
}

export async function notes(options: FakeNotesOptions = {}): Promise<FakeNotes> {
  const fake = await startFakeNotes(options);
  started.push(fake);
  return fake;
}

export async function tingting(options: FakeTingTingOptions = {}): Promise<FakeTingTing> {
  const fake = await startFakeTingTing(options);
  started.push(fake);
  return fake;
}

/** Every way a value can end up in a log: message, stack, JSON, inspect (deep), String(). */
export function renderings(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: false }), String(value)];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: inspect covers it
  }
  if (value instanceof Error) {
    parts.push(value.message, value.stack ?? '');
    let cause: unknown = value.cause;
    for (let depth = 0; depth < 5 && cause !== undefined; depth++) {
      parts.push(inspect(cause, { depth: 10 }));
      cause = (cause as { cause?: unknown } | null)?.cause;
    }
  }
  return parts.join('\n');
}

/** Fails when any of `secrets` (non-empty, 4+ chars) shows in any rendering of `value`. */
export function expectNoSecrets(value: unknown, secrets: readonly (string | undefined)[]): void {
  const text = renderings(value);
  const leaked = secrets.filter(
    (secret): secret is string =>
      secret !== undefined && secret.length >= 4 && text.includes(secret),
  );
  expect(leaked, `secrets in ${text.slice(0, 400)}`).toEqual([]);
}

/** A real fetch that records each request's method, path and content-type (not a mock). */
export function recordingFetch(): {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  seen: {
    method: string;
    path: string;
    contentType: string | undefined;
    body: string | undefined;
  }[];
} {
  const seen: {
    method: string;
    path: string;
    contentType: string | undefined;
    body: string | undefined;
  }[] = [];
  return {
    seen,
    fetch: (input, init) => {
      const headers = new Headers(init.headers);
      seen.push({
        method: init.method ?? 'GET',
        path: new URL(input).pathname,
        contentType: headers.get('content-type') ?? undefined,
        body:
          typeof init.body === 'string'
            ? init.body
            : init.body instanceof URLSearchParams
              ? init.body.toString()
              : undefined,
      });
      return fetch(input, init);
    },
  };
}
