/**
 * Parity with core's protocol: the same requests through core's `createOTPProtocol` directly and
 * through every NextAuth host get the same status, code and body.
 *
 * - send: the Web handler (App Router), and the same handler as a Pages Router API route run by
 *   Next.js's own `apiResolver` over a real HTTP server (with its body parser off, as the README
 *   says, and on, for the requests Next.js parses the same way);
 * - verify: `authorize` through next-auth v4's `AuthHandler` and Auth.js's `Auth()`, whose
 *   redirects carry the code (`?error=CODE`, `?code=CODE`).
 */

import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Auth } from '@auth/core';
import {
  createOTPProtocol,
  fromWebRequest,
  resolveProtocolOptions,
} from '@tingting-auth/core/protocol';
import { CredentialsSignin } from 'next-auth-v5';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callbacks, createSendHandler, TingTing } from '../src/index.js';
import { TingTing as TingTingV5 } from '../src/v5.js';
import { AuthHandler, makeEngine, PHONE } from './helpers.js';

const require = createRequire(import.meta.url);
const { apiResolver } = require('next/dist/server/api-utils/node/api-resolver.js') as {
  apiResolver: (...args: unknown[]) => Promise<void>;
};

const ORIGIN = 'http://localhost:3000';

interface SendCase {
  name: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Next.js's own body parser answers or reads it differently (broken JSON, another charset). */
  nextParserDiffers?: boolean;
}

const json = { 'content-type': 'application/json' };
const SEND_CASES: SendCase[] = [
  { name: 'a number as JSON', headers: json, body: JSON.stringify({ phone: PHONE }) },
  {
    name: 'a number as a form, by voice',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `phone=${PHONE}&channel=voice`,
  },
  { name: 'a landline', headers: json, body: JSON.stringify({ phone: '+97714412345' }) },
  { name: 'no phone', headers: json, body: '{}' },
  { name: 'a phone that is a number', headers: json, body: '{"phone":9841234567}' },
  {
    name: 'an unknown channel',
    headers: json,
    body: JSON.stringify({ phone: PHONE, channel: 'x' }),
  },
  {
    name: 'a repeated form field',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `phone=${PHONE}&phone=9812345678`,
  },
  { name: 'broken JSON', headers: json, body: '{"phone":', nextParserDiffers: true },
  { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: PHONE },
  {
    name: 'JSON in Latin-1',
    headers: { 'content-type': 'application/json; charset=latin1' },
    body: JSON.stringify({ phone: PHONE }),
    nextParserDiffers: true,
  },
  {
    name: 'a cross-site post',
    headers: { ...json, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    body: JSON.stringify({ phone: PHONE }),
  },
  { name: 'a GET', method: 'GET' },
];

interface Seen {
  status: number;
  body: unknown;
  headers: Record<string, string | null>;
}

/** The body with the times that differ between two engines blanked. */
function comparable(seen: Seen): Seen {
  const body = structuredClone(seen.body) as Record<string, unknown> | null;
  if (body !== null && typeof body === 'object' && 'expiresAt' in body) {
    body.expiresAt = typeof body.expiresAt;
    body.resendAt = typeof body.resendAt;
  }
  return { ...seen, body };
}

function webRequest(c: SendCase, url = `${ORIGIN}/api/auth/otp/send`): Request {
  return new Request(url, {
    method: c.method ?? 'POST',
    headers: { host: 'localhost:3000', ...c.headers },
    ...(c.body === undefined ? {} : { body: c.body }),
  });
}

const HEADERS = ['content-type', 'cache-control', 'retry-after', 'allow'];

async function viaProtocol(c: SendCase): Promise<Seen> {
  const { engine } = makeEngine();
  const otp = createOTPProtocol(resolveProtocolOptions('parity', { engine }));
  const { answer } = await otp.send(fromWebRequest(webRequest(c)));
  return {
    status: answer.status,
    body: answer.body ?? null,
    headers: Object.fromEntries(HEADERS.map((name) => [name, answer.headers[name] ?? null])),
  };
}

async function fromResponse(response: Response): Promise<Seen> {
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? null : JSON.parse(text),
    headers: Object.fromEntries(HEADERS.map((name) => [name, response.headers.get(name)])),
  };
}

async function viaWeb(c: SendCase): Promise<Seen> {
  const handler = createSendHandler(makeEngine().engine, { trustProxy: false });
  return fromResponse(await handler(webRequest(c)));
}

/** The handler as `pages/api/otp/send.ts`, run by Next.js's Pages Router API resolver. */
async function pagesServer(bodyParser: boolean): Promise<{ url: string; server: Server }> {
  const handler = createSendHandler(makeEngine().engine, { trustProxy: false });
  const route = { default: handler, config: { api: { bodyParser } } };
  const server = createServer((req, res) => {
    void apiResolver(req, res, {}, route, {}, false, false, '/api/otp/send');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('send: the App Router handler answers as core does', () => {
  it.each(SEND_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const expected = comparable(await viaProtocol(c));
    expect(comparable(await viaWeb(c))).toEqual(expected);
  });
});

describe.each([
  ['off (the README setup)', false],
  ['on (Next.js default)', true],
])('send: the Pages Router API route, body parser %s, answers as core does', (_, bodyParser) => {
  let pages: { url: string; server: Server };
  beforeAll(async () => {
    pages = await pagesServer(bodyParser);
  });
  afterAll(() => new Promise<void>((resolve) => pages.server.close(() => resolve())));

  const cases = SEND_CASES.filter((c) => !(bodyParser && c.nextParserDiffers));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const expected = comparable(await viaProtocol(c));
    // Each case on its own fresh engine: the number's cooldown must not tell them apart.
    const fresh = await pagesServer(bodyParser);
    try {
      const response = await fetch(`${fresh.url}/api/otp/send`, {
        method: c.method ?? 'POST',
        headers: { ...c.headers, host: 'localhost:3000' },
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      expect(comparable(await fromResponse(response))).toEqual(expected);
    } finally {
      await new Promise<void>((resolve) => fresh.server.close(() => resolve()));
    }
  });

  it('reads no more than the limit when it reads the body itself', async () => {
    const response = await fetch(`${pages.url}/api/otp/send`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ phone: PHONE, pad: 'x'.repeat(5000) }),
    });
    // Next.js's parser allows 1 MB: with it on, only the fields are checked.
    expect(response.status).toBe(bodyParser ? 202 : 413);
  });
});

// ---------------------------------------------------------------------------------------------
// verify, through next-auth

interface VerifyCase {
  name: string;
  fields: (code: string) => Record<string, string>;
}

const VERIFY_CASES: VerifyCase[] = [
  { name: 'the right code', fields: (code) => ({ phone: PHONE, code }) },
  {
    name: 'a wrong code',
    fields: (code) => ({ phone: PHONE, code: code === '000000' ? '111111' : '000000' }),
  },
  { name: 'no code', fields: () => ({ phone: PHONE }) },
  { name: 'a code that is not digits', fields: () => ({ phone: PHONE, code: 'abcdef' }) },
  {
    name: 'no pending code for the number',
    fields: () => ({ phone: '9812345678', code: '123456' }),
  },
  { name: 'not a number', fields: () => ({ phone: 'hello', code: '123456' }) },
];

/** The protocol's verdict: `ok`, or the refusal's code. */
async function verifyViaProtocol(c: VerifyCase): Promise<string> {
  const { engine, lastCode } = makeEngine();
  await engine.send({ phone: PHONE });
  const otp = createOTPProtocol(resolveProtocolOptions('parity', { engine }));
  const result = await otp.verify({ headers: {}, fields: c.fields(lastCode()) });
  return result.ok ? 'ok' : result.error.code;
}

async function verifyViaV4(c: VerifyCase): Promise<string> {
  const { engine, lastCode } = makeEngine();
  await engine.send({ phone: PHONE });
  const options = {
    providers: [TingTing({ engine })],
    secret: 'a-next-auth-test-secret-that-is-long-enough',
    session: { strategy: 'jwt' as const },
    callbacks,
  };
  const csrf = await AuthHandler({ req: new Request(`${ORIGIN}/api/auth/csrf`), options });
  const cookie = (csrf.cookies ?? []).map(({ name, value }) => `${name}=${value}`).join('; ');
  const answer = await AuthHandler({
    req: new Request(`${ORIGIN}/api/auth/callback/tingting`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...c.fields(lastCode()),
        csrfToken: (csrf.body as { csrfToken: string }).csrfToken,
        json: 'true',
      }),
    }),
    options,
  });
  return new URL(answer.redirect ?? '', ORIGIN).searchParams.get('error') ?? 'ok';
}

async function verifyViaV5(c: VerifyCase): Promise<string> {
  const { engine, lastCode } = makeEngine();
  await engine.send({ phone: PHONE });
  const config = {
    providers: [TingTingV5({ engine, CredentialsSignin })],
    secret: 'a-next-auth-test-secret-that-is-long-enough',
    trustHost: true,
    basePath: '/api/auth',
    session: { strategy: 'jwt' as const },
    callbacks,
  };
  const csrf = await Auth(new Request(`${ORIGIN}/api/auth/csrf`), config);
  const cookie = csrf.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await Auth(
    new Request(`${ORIGIN}/api/auth/callback/tingting`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...c.fields(lastCode()), csrfToken }),
    }),
    config,
  );
  return new URL(response.headers.get('location') ?? '', ORIGIN).searchParams.get('code') ?? 'ok';
}

describe('verify: authorize through next-auth refuses with core’s code', () => {
  beforeAll(() => {
    process.env.NEXTAUTH_URL = ORIGIN;
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  it.each(VERIFY_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const expected = await verifyViaProtocol(c);
    expect(await verifyViaV4(c)).toBe(expected);
    expect(await verifyViaV5(c)).toBe(expected);
  });
});
