import { afterEach } from 'vitest';
import { type FakeTingTing, type FakeTingTingOptions, startFakeTingTing } from '../src/index.js';

const started: FakeTingTing[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** Starts a fake that is closed after the test. */
export async function startFake(options: FakeTingTingOptions = {}): Promise<FakeTingTing> {
  const fake = await startFakeTingTing(options);
  started.push(fake);
  return fake;
}

/** A clock the test moves by hand. */
export function manualClock(start: number = Date.parse('2026-01-15T06:00:00.000Z')): {
  now: () => number;
  advance: (milliseconds: number) => void;
} {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

export const API = '/api/v1/auths';

export function postJSON(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Logs in and returns the `name=value` pairs of the cookies set. */
export async function login(
  fake: FakeTingTing,
): Promise<{ access: string; refresh: string; response: Response }> {
  const response = await postJSON(`${fake.url}${API}/login/`, fake.account);
  const cookies = new Map(
    response.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0]!;
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const;
    }),
  );
  return { access: cookies.get('access') ?? '', refresh: cookies.get('refresh') ?? '', response };
}

export function sendOTP(
  fake: FakeTingTing,
  body: Record<string, unknown>,
  token: string = fake.apiToken,
): Promise<Response> {
  return postJSON(`${fake.url}${API}/send/otp/`, body, { authorization: `Bearer ${token}` });
}
