import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { API, login, postJSON, sendOTP, startFake } from './helpers.js';

const TEXT = { number: '9812345678', message: 'Code {otp}', sms_send_options: 'text' };

describe('fault injection', () => {
  it('status: answers the given status, body and headers without doing the work, `times` times', async () => {
    const fake = await startFake();
    fake.inject('sendOTP', {
      status: 429,
      body: { detail: 'Request was throttled.' },
      headers: { 'retry-after': '3' },
      times: 2,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await sendOTP(fake, TEXT);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(await response.json()).toEqual({ detail: 'Request was throttled.' });
    }
    expect(fake.outbox.messages).toHaveLength(0);
    expect((await sendOTP(fake, TEXT)).status).toBe(200);
    expect(fake.requests.map((entry) => entry.fault)).toEqual(['status', 'status', undefined]);
  });

  it('status without a body answers {"detail": <reason>}; faults only hit their endpoint', async () => {
    const fake = await startFake();
    fake.inject('userProfile', { status: 503, times: Number.POSITIVE_INFINITY });
    expect((await sendOTP(fake, TEXT)).status).toBe(200);
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${fake.url}${API}/user-profile/`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: 'Service Unavailable' });
    }
    fake.clearFaults();
    expect((await fetch(`${fake.url}${API}/user-profile/`)).status).toBe(401);
  });

  it('html: a 200 with an HTML page', async () => {
    const fake = await startFake();
    fake.inject('login', { kind: 'html' });
    const response = await postJSON(`${fake.url}${API}/login/`, fake.account);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/<html>/);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('malformed-json: a 200 whose JSON does not parse', async () => {
    const fake = await startFake();
    fake.inject('sendOTP', { kind: 'malformed-json' });
    const response = await sendOTP(fake, TEXT);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).rejects.toThrow(SyntaxError);
    expect(fake.outbox.messages).toHaveLength(0);
  });

  it('afterWork: the send is delivered and charged, then the fault is the answer', async () => {
    const fake = await startFake({ credits: { sms: 10, phone: 10 } });
    fake.inject('sendOTP', { kind: 'malformed-json', afterWork: true });
    const garbled = await sendOTP(fake, TEXT);
    expect(garbled.status).toBe(200);
    await expect(garbled.json()).rejects.toThrow(SyntaxError);
    fake.inject('sendOTP', { status: 200, body: { unexpected: true }, afterWork: true });
    const wrongShape = await sendOTP(fake, TEXT);
    expect(await wrongShape.json()).toEqual({ unexpected: true });
    expect(fake.outbox.messages).toHaveLength(2);
    expect(fake.credits).toMatchObject({ sms: 8 });
    expect(fake.requests.map((entry) => entry.fault)).toEqual(['malformed-json', 'status']);
  });

  it('oversized: a ~10 MB JSON body', async () => {
    const fake = await startFake();
    fake.inject('listSentOTPs', { kind: 'oversized' });
    const response = await fetch(`${fake.url}${API}/list/send-otps/`);
    expect(Number(response.headers.get('content-length'))).toBe(10 * 1024 * 1024);
    const body = await response.arrayBuffer();
    expect(body.byteLength).toBe(10 * 1024 * 1024);
    expect(JSON.parse(Buffer.from(body).toString('utf8')).success).toBe(true);
  });

  it('redirect: a 302 to another origin, which records whether credentials followed', async () => {
    const fake = await startFake();
    fake.inject('sendOTP', { kind: 'redirect' });
    const manual = await sendOTP(fake, TEXT, fake.apiToken);
    // fetch follows by default: a 302 POST becomes a GET to the other origin, without Authorization.
    expect(manual.redirected).toBe(true);
    const location = new URL(manual.url);
    expect(location.origin).not.toBe(fake.url);
    expect(location.pathname).toBe(`${API}/send/otp/`);
    expect(fake.redirectedRequests).toEqual([
      { method: 'GET', path: `${API}/send/otp/`, hadAuthorization: false, hadCookie: false },
    ]);
    fake.inject('getAPIToken', { kind: 'redirect' });
    const notFollowed = await fetch(`${fake.url}${API}/get-api-keys/`, { redirect: 'manual' });
    expect(notFollowed.status).toBe(302);
    expect(new URL(notFollowed.headers.get('location')!).origin).toBe(location.origin);
    expect(fake.outbox.messages).toHaveLength(0);
  });

  it('reset: reads the request, delivers the OTP, then drops the connection without an answer', async () => {
    const fake = await startFake({ credits: { sms: 10 } });
    fake.inject('sendOTP', { kind: 'reset' });
    await expect(sendOTP(fake, TEXT)).rejects.toThrow(TypeError);
    expect(fake.outbox.messages).toHaveLength(1);
    expect(fake.credits.sms).toBe(9);
    expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'sendOTP', status: 0, fault: 'reset' });
  });

  it('reset happens after the whole body was read, even a slow one', async () => {
    const fake = await startFake();
    fake.inject('sendOTP', { kind: 'reset' });
    const body = JSON.stringify(TEXT);
    const outcome = await new Promise<string>((resolve) => {
      const client = request(`${fake.url}${API}/send/otp/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${fake.apiToken}`,
        },
      });
      client.on('response', () => resolve('answered'));
      client.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      client.write(body.slice(0, 10));
      setTimeout(() => client.end(body.slice(10)), 100);
    });
    expect(outcome).toBe('ECONNRESET');
    expect(fake.outbox.last()?.number).toBe('9812345678');
  });

  it('delay: alone it delays the normal answer; combined it delays the fault', async () => {
    const fake = await startFake();
    fake.inject('login', { delayInMilliseconds: 300 });
    const started = performance.now();
    const { response } = await login(fake);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(200);
    expect(fake.requests.at(-1)?.fault).toBe('delay');
    fake.inject('login', { delayInMilliseconds: 5000, status: 500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      fetch(`${fake.url}${API}/login/`, { method: 'POST', signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });

  it('close() does not wait for a pending delay', async () => {
    const fake = await startFake();
    fake.inject('login', { delayInMilliseconds: 60_000 });
    const pending = postJSON(`${fake.url}${API}/login/`, fake.account).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(10_000); // liveness: the delay is 60 s
    expect(await pending).toBeInstanceOf(TypeError);
  });

  it('refuses nonsense faults with a TypeError', async () => {
    const fake = await startFake();
    // @ts-expect-error an unknown endpoint
    expect(() => fake.inject('sendSMS', { status: 500 })).toThrow(TypeError);
    expect(() => fake.inject('login', { status: 42 })).toThrow(TypeError);
    expect(() => fake.inject('login', { times: 0 })).toThrow(TypeError);
  });
});
