import { afterEach } from 'vitest';
import {
  type FakeNotes,
  type FakeNotesOptions,
  type FakeTimbr,
  type FakeTimbrOptions,
  startFakeNotes,
  startFakeTimbr,
} from '../src/index.js';

const started: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** A Timbr fake closed after the test. */
export async function startTimbr(options: FakeTimbrOptions = {}): Promise<FakeTimbr> {
  const fake = await startFakeTimbr(options);
  started.push(fake);
  return fake;
}

/** A notes fake closed after the test. */
export async function startNotes(options: FakeNotesOptions = {}): Promise<FakeNotes> {
  const fake = await startFakeNotes(options);
  started.push(fake);
  return fake;
}

/** A clock the test moves by hand; starts on a whole second, as JWT `iat`/`exp` are seconds. */
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

export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
}

/** The claims of a JWT, decoded without checking it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

/** Timbr: log in and return the pair. */
export async function timbrLogin(
  fake: FakeTimbr,
  credentials: { username: string; password: string } = fake.account,
): Promise<{ access: string; refresh: string }> {
  const response = await postJSON(`${fake.url}/api/auth/jwt/`, {
    username: credentials.username,
    password: credentials.password,
  });
  if (response.status !== 201) throw new Error(`login answered ${response.status}`);
  return response.json();
}

export function timbrRefresh(fake: FakeTimbr, refresh: string): Promise<Response> {
  return postJSON(`${fake.url}/api/auth/jwt/refresh/`, { refresh });
}

/** notes: log in and return `tokens`. */
export async function notesLogin(
  fake: FakeNotes,
  credentials: { username: string; password: string } = fake.account,
): Promise<{ access_token: string; refresh_token: string; valid_for: number }> {
  const response = await postForm(`${fake.url}/auth/login`, {
    username: credentials.username,
    password: credentials.password,
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  return (await response.json()).tokens;
}

export function notesRefresh(fake: FakeNotes, refreshToken: string): Promise<Response> {
  return postForm(`${fake.url}/auth/refresh`, { refresh_token: refreshToken });
}
