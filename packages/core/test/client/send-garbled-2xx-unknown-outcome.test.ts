/**
 * Regression: TingTing answered send OTP with a 2xx (it accepted the request, so the SMS most
 * likely went out) but the body could not be read. That used to be a definite UNEXPECTED_BODY,
 * so the engine dropped the code the user was about to receive and let a second SMS go out at
 * once. It is an UNKNOWN_OUTCOME now, with the body error as `cause`; GETs and non-2xx answers
 * keep their definite errors.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeTingTing, type Fault, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  TingTingClient,
  TingTingUnexpectedBodyError,
  TingTingUnexpectedStatusError,
  TingTingUnknownOutcomeError,
} from '../../src/index.js';
import { countingFetch, hits, rejectionOf, SEND, tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

const SEND_PERSONNEL = { ...SEND, otp: '482913' };
const WRONG_SHAPE = {
  status: 200,
  success: true,
  message: 'OTP Sent Successfully.',
  errors: [],
  data: { details: { number: '9812345678' } },
};

const GARBLED_2XX: [string, Fault, 'not-json' | 'wrong-shape' | 'too-large'][] = [
  ['truncated JSON', { kind: 'malformed-json' }, 'not-json'],
  ['an HTML page', { kind: 'html' }, 'not-json'],
  ['JSON of the wrong shape', { status: 200, body: WRONG_SHAPE }, 'wrong-shape'],
  ['a body over maxResponseSizeInBytes', { kind: 'oversized' }, 'too-large'],
  ['a 201 with truncated JSON', { kind: 'malformed-json', status: 201 }, 'not-json'],
];

/** A one-route HTTP server that answers every request with `answer`; counts the requests. */
async function rawServer(
  answer: (response: ServerResponse) => void,
): Promise<{ client: TingTingClient; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => answer(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new TingTingClient({
      apiToken: 'a'.repeat(64),
      baseURL: `http://127.0.0.1:${port}`,
      maxResponseSizeInBytes: 1_000,
    }),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('send OTP answered 2xx with a body the client cannot read is UNKNOWN_OUTCOME, not a definite failure', () => {
  it.each(GARBLED_2XX)(
    '%s: UNKNOWN_OUTCOME with the body error as cause; one request, and the SMS did go out',
    async (_name, fault, reason) => {
      fake.inject('sendOTP', { ...fault, afterWork: true });
      const { fetch, calls } = countingFetch();
      const error = await rejectionOf(tokenClient(fake, { fetch }).sendOTP(SEND_PERSONNEL));
      expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
      expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME, endpoint: 'sendOTP' });
      expect(error.cause).toBeInstanceOf(TingTingUnexpectedBodyError);
      expect(error.cause).toMatchObject({
        code: ErrorCode.UNEXPECTED_BODY,
        endpoint: 'sendOTP',
        status: fault.status ?? 200,
        reason,
      });
      expect(error.message).toContain('most likely delivered');
      expect(calls).toEqual(['POST /api/v1/auths/send/otp/']);
      // Why a definite failure was wrong: the code is on its way to the phone.
      expect(fake.outbox.messages).toHaveLength(1);
      expect(fake.outbox.last('9812345678')?.otp).toBe('482913');
    },
  );

  it('a 200 whose body is cut by a connection reset: UNKNOWN_OUTCOME', async () => {
    const server = await rawServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      response.write('{"status": 200, "success": true, "data": {"details": {');
      setImmediate(() => response.socket?.destroy());
    });
    try {
      const error = await rejectionOf(server.client.sendOTP(SEND_PERSONNEL));
      expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
      expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME, endpoint: 'sendOTP' });
      expect(error.cause).toBeDefined();
      expect(server.requests).toEqual(['POST /api/v1/auths/send/otp/']);
    } finally {
      await server.close();
    }
  });

  it('a 204 with no body: UNKNOWN_OUTCOME (not-json)', async () => {
    const server = await rawServer((response) => {
      response.writeHead(204);
      response.end();
    });
    try {
      const error = await rejectionOf(server.client.sendOTP(SEND_PERSONNEL));
      expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
      expect(error.cause).toMatchObject({ status: 204, reason: 'not-json' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a streamed 200 past the cap, without Content-Length: UNKNOWN_OUTCOME (too-large)', async () => {
    const server = await rawServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json' }); // chunked
      response.write(`{"data": "${'x'.repeat(800)}`);
      response.end(`${'x'.repeat(800)}"}`);
    });
    try {
      const error = await rejectionOf(server.client.sendOTP(SEND_PERSONNEL));
      expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
      expect(error.cause).toMatchObject({ status: 200, reason: 'too-large' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('the client cannot tell a portal page from a garbled answer: UNKNOWN_OUTCOME even when nothing went out', async () => {
    fake.inject('sendOTP', { kind: 'html' });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
    expect(fake.outbox.messages).toHaveLength(0);
  });
});

describe('what stays definite', () => {
  it.each(GARBLED_2XX)(
    'a GET answered with %s is still UNEXPECTED_BODY, and not retried',
    async (_name, fault, reason) => {
      const body = reason === 'wrong-shape' ? { status: 200, body: { id: 'abc' } } : fault;
      fake.inject('userProfile', body);
      const error = await rejectionOf(tokenClient(fake).getUserProfile());
      expect(error).toBeInstanceOf(TingTingUnexpectedBodyError);
      expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason });
      expect(hits(fake, 'userProfile')).toBe(1);
    },
  );

  it('send OTP answered 502 with an HTML page: UNEXPECTED_STATUS (TingTing did not accept it)', async () => {
    fake.inject('sendOTP', { kind: 'html', status: 502 });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnexpectedStatusError);
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_STATUS, status: 502 });
  });

  it('send OTP answered 400 with an oversized body: UNEXPECTED_BODY, not an unknown outcome', async () => {
    fake.inject('sendOTP', { kind: 'oversized', status: 400 });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnexpectedBodyError);
    expect(error).toMatchObject({ status: 400, reason: 'too-large' });
  });

  it('send OTP answered with a redirect: UNEXPECTED_STATUS, never followed, nothing sent', async () => {
    fake.inject('sendOTP', { kind: 'redirect' });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnexpectedStatusError);
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_STATUS, status: 302 });
    expect(fake.redirectedRequests).toHaveLength(0);
    expect(fake.outbox.messages).toHaveLength(0);
  });
});
