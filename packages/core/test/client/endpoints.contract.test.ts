import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { USER_AGENT } from '../../src/client/tingting-client.js';
import {
  ErrorCode,
  TingTingAPIError,
  TingTingAuthenticationError,
  TingTingInsufficientCreditsError,
  ValidationError,
} from '../../src/index.js';
import { hits, passwordClient, rejectionOf, SEND, tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing({ credits: { sms: 50, phone: 20 } });
});
afterEach(() => fake.close());

describe('account API (seed 000)', () => {
  it('logs in, keeps the cookies, and reads the API token with the access JWT', async () => {
    const client = passwordClient(fake);
    await client.login();
    const token = await client.getAPIToken();
    expect(token?.token).toBe(fake.apiToken);
    expect(token?.lastUsed).toBeNull(); // never used yet
    expect(token?.createdAt).toBeInstanceOf(Date);
    expect(hits(fake, 'login')).toBe(1);
  });

  it('reports lastUsed once the token was used', async () => {
    await tokenClient(fake).getUserProfile();
    const token = await passwordClient(fake).getAPIToken();
    expect(token?.lastUsed).toBeInstanceOf(Date);
  });

  it('logs in by itself on the first call that needs the session', async () => {
    const client = passwordClient(fake);
    expect((await client.getAPIToken())?.token).toBe(fake.apiToken);
    expect(hits(fake, 'login')).toBe(1);
  });

  it('wrong password: TingTingAuthenticationError with DRF detail', async () => {
    const client = passwordClient(fake, { password: 'not-the-password' });
    const error = await rejectionOf(client.login());
    expect(error).toBeInstanceOf(TingTingAuthenticationError);
    expect(error).toMatchObject({
      code: ErrorCode.AUTHENTICATION,
      status: 401,
      endpoint: 'login',
      detail: 'No active account found with the given credentials',
    });
  });

  it('inactive account cannot log in', async () => {
    fake.setAccountActive(false);
    const error = await rejectionOf(passwordClient(fake).login());
    expect(error).toBeInstanceOf(TingTingAuthenticationError);
  });

  it('DRF field errors from login (400) are parsed', async () => {
    fake.inject('login', { status: 400, body: { email: ['This field is required.'] } });
    const error = await rejectionOf(passwordClient(fake).login());
    expect(error).toBeInstanceOf(TingTingAPIError);
    expect(error).toMatchObject({
      code: ErrorCode.API,
      status: 400,
      errors: [{ field: 'email', message: 'This field is required.' }],
    });
    expect(error.message).toContain('email: This field is required.');
  });

  it('refreshes the session explicitly', async () => {
    const client = passwordClient(fake);
    await client.login();
    fake.expireAccessTokens();
    await client.refreshSession();
    expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'refresh', status: 200 });
    expect((await client.getAPIToken())?.token).toBe(fake.apiToken);
    expect(hits(fake, 'refresh')).toBe(1); // the refreshed JWT works: no second refresh
  });

  it('refresh without a refresh cookie: 400 "No refresh token provided" (reached naturally)', async () => {
    const error = await rejectionOf(passwordClient(fake).refreshSession());
    expect(error).toBeInstanceOf(TingTingAPIError);
    expect(error).not.toBeInstanceOf(TingTingAuthenticationError);
    expect(error).toMatchObject({ status: 400, apiMessage: 'No refresh token provided' });
  });

  it.each([
    [400, { detail: 'Invalid token payload.' }, TingTingAPIError, ErrorCode.API],
    [
      401,
      { detail: 'Account is not activated.' },
      TingTingAuthenticationError,
      ErrorCode.AUTHENTICATION,
    ],
    [
      401,
      { message: 'Failed To Refresh The Session' },
      TingTingAuthenticationError,
      ErrorCode.AUTHENTICATION,
    ],
  ] as const)('refresh %i %j is a typed error', async (status, body, type, code) => {
    const client = passwordClient(fake);
    await client.login();
    fake.inject('refresh', { status, body });
    const error = await rejectionOf(client.refreshSession());
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, endpoint: 'refresh' });
    const text = 'detail' in body ? body.detail : body.message;
    expect(error.message).toContain(text);
  });

  it('refresh of a deactivated account: 401 "Account is not activated." (reached naturally)', async () => {
    const client = passwordClient(fake);
    await client.login();
    fake.setAccountActive(false);
    const error = await rejectionOf(client.refreshSession());
    expect(error).toMatchObject({ status: 401, detail: 'Account is not activated.' });
  });

  it('generates a new API token, which replaces the old one in the client', async () => {
    const client = passwordClient(fake);
    const old = fake.apiToken;
    const { token } = await client.generateAPIToken();
    expect(token).toBe(fake.apiToken);
    expect(token).not.toBe(old);
    expect((await client.getUserProfile()).user.email).toBe(fake.account.email);
  });

  it('"No API token found" is undefined; the client then generates one for API calls', async () => {
    fake.revokeAPIToken();
    const client = passwordClient(fake);
    expect(await client.getAPIToken()).toBeUndefined();
    const profile = await client.getUserProfile();
    expect(profile.id).toBeTypeOf('number');
    expect(hits(fake, 'generateAPIToken')).toBe(1);
    expect(fake.apiToken).not.toBe('');
  });

  it('reads the user profile with the API token, camelCased', async () => {
    const profile = await tokenClient(fake).getUserProfile();
    expect(profile).toEqual({
      id: expect.any(Number),
      user: {
        firstName: expect.any(String),
        lastName: expect.any(String),
        username: expect.any(String),
        email: fake.account.email,
      },
      profilePictureURL: null,
      contactNumber: expect.any(String),
      address: expect.any(String),
      isVerifiedContact: true,
    });
  });

  it('an invalid API token is a TingTingAuthenticationError ("Invalid token.")', async () => {
    const client = tokenClient(fake, { apiToken: 'f'.repeat(64) });
    const error = await rejectionOf(client.getUserProfile());
    expect(error).toBeInstanceOf(TingTingAuthenticationError);
    expect(error).toMatchObject({ status: 401, detail: 'Invalid token.' });
    expect(hits(fake, 'userProfile')).toBe(1); // a 401 is not retried
  });

  it('with email and password, a token regenerated elsewhere is fetched again once', async () => {
    const client = passwordClient(fake);
    await client.getUserProfile();
    await passwordClient(fake).generateAPIToken(); // another process rotates the token
    expect((await client.getUserProfile()).id).toBeTypeOf('number');
    expect(hits(fake, 'getAPIToken')).toBe(2);
  });

  it('calls that need the session refuse a client without email and password, before any request', async () => {
    const client = tokenClient(fake);
    for (const call of [client.login(), client.refreshSession(), client.getAPIToken()]) {
      expect(await rejectionOf(call)).toBeInstanceOf(ValidationError);
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OTP API (seed 001)', () => {
  it('sends a personnel OTP by SMS, in national form, and surfaces the credits', async () => {
    const client = tokenClient(fake);
    const result = await client.sendOTP({ ...SEND, number: '+977 981-234-5678', otp: '482913' });
    const delivery = fake.outbox.last('9812345678');
    expect(delivery).toMatchObject({
      number: '9812345678',
      otp: '482913',
      otpOptions: 'personnel',
      channel: 'text',
      message: 'Your sign-in code is 482913',
    });
    expect(result).toEqual({
      number: '9812345678',
      otpOptions: 'personnel',
      message: SEND.message,
      channel: 'text',
      creditsUsed: 1,
      remainingCredits: { text: 49, voice: 20 },
    });
    expect(result.otp).toBe('482913');
  });

  it('sends a generated OTP of the asked length and returns it', async () => {
    const result = await tokenClient(fake).sendOTP({ ...SEND, otpLength: 8 });
    expect(result.otpOptions).toBe('generated');
    expect(result.otp).toMatch(/^\d{8}$/);
    expect(fake.outbox.last()?.otp).toBe(result.otp);
  });

  it('sends by voice call with the chosen voice and charges a phone credit', async () => {
    const result = await tokenClient(fake).sendOTP({
      ...SEND,
      channel: 'voice',
      voice: 'np_binod',
      otp: '123456',
    });
    expect(fake.outbox.last()).toMatchObject({ channel: 'voice', voice: 'np_binod' });
    expect(result.remainingCredits).toEqual({ text: 50, voice: 19 });
  });

  it('sends the User-Agent, Accept and Content-Type headers', async () => {
    let seen: Headers | undefined;
    const client = tokenClient(fake, {
      fetch: (input, init) => {
        seen = new Headers(init.headers);
        return fetch(input, init);
      },
    });
    await client.sendOTP({ ...SEND, otp: '482913' });
    expect(seen?.get('user-agent')).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^tingting-auth\/\d+\.\d+\.\d+/);
    expect(seen?.get('accept')).toBe('application/json');
    expect(seen?.get('content-type')).toBe('application/json');
  });

  it('out of SMS credits: TingTingInsufficientCreditsError, nothing sent', async () => {
    fake.setCredits({ sms: 0 });
    const error = await rejectionOf(tokenClient(fake).sendOTP({ ...SEND, otp: '482913' }));
    expect(error).toBeInstanceOf(TingTingInsufficientCreditsError);
    expect(error).toMatchObject({
      code: ErrorCode.INSUFFICIENT_CREDITS,
      status: 402,
      channel: 'text',
      apiMessage: 'Insufficient SMS credits.',
    });
    expect(fake.outbox.messages).toHaveLength(0);
  });

  it('out of phone credits for a call', async () => {
    fake.setCredits({ phone: 0 });
    const error = await rejectionOf(
      tokenClient(fake).sendOTP({ ...SEND, channel: 'voice', voice: 'np_rija' }),
    );
    expect(error).toMatchObject({ code: ErrorCode.INSUFFICIENT_CREDITS, channel: 'voice' });
  });

  it('a 400 validation envelope from TingTing is parsed into field errors', async () => {
    const body = {
      status: 400,
      success: false,
      message: 'number: Enter a valid 10-digit Nepali mobile number, e.g. 98XXXXXXXX.',
      errors: [{ field: 'number', message: 'Enter a valid 10-digit Nepali mobile number.' }],
      data: null,
    };
    fake.inject('sendOTP', { status: 400, body });
    const error = await rejectionOf(tokenClient(fake).sendOTP({ ...SEND, otp: '482913' }));
    expect(error).toBeInstanceOf(TingTingAPIError);
    expect(error).toMatchObject({
      code: ErrorCode.API,
      status: 400,
      apiMessage: body.message,
      errors: body.errors,
    });
    expect(hits(fake, 'sendOTP')).toBe(1);
  });

  it('a 402 that the fake injects with the envelope is insufficient credits too', async () => {
    fake.inject('sendOTP', {
      status: 402,
      body: {
        status: 402,
        success: false,
        message: 'Insufficient phone credits.',
        errors: [],
        data: null,
      },
    });
    const error = await rejectionOf(tokenClient(fake).sendOTP({ ...SEND, otp: '482913' }));
    expect(error).toBeInstanceOf(TingTingInsufficientCreditsError);
  });

  it('lists sent OTPs, newest first, camelCased', async () => {
    const client = tokenClient(fake);
    await client.sendOTP({ ...SEND, otp: '111111' });
    await client.sendOTP({
      ...SEND,
      number: '9861489014',
      channel: 'voice',
      voice: 'np_rija',
      otp: '222222',
    });
    const page = await client.listSentOTPs();
    expect(page).toMatchObject({ count: 2, totalPages: 1, next: null, previous: null });
    expect(
      page.items.map((item) => [item.number, item.otp, item.channel, item.otpOptions]),
    ).toEqual([
      ['9861489014', '222222', 'voice', 'personnel'],
      ['9812345678', '111111', 'text', 'personnel'],
    ]);
    expect(page.items[0]?.createdAt).toBeInstanceOf(Date);
    expect(page.items[0]?.message).toBe('Your sign-in code is 222222');
  });

  it('a page past the end is a 404 "Invalid page." API error', async () => {
    const error = await rejectionOf(tokenClient(fake).listSentOTPs({ page: 5 }));
    expect(error).toMatchObject({ code: ErrorCode.API, status: 404, detail: 'Invalid page.' });
  });

  it('email + password only: one login, one get-API-token, then the API calls', async () => {
    const client = passwordClient(fake);
    await Promise.all(
      Array.from({ length: 5 }, (_, index) => client.sendOTP({ ...SEND, otp: `12345${index}` })),
    );
    expect(fake.outbox.messages).toHaveLength(5);
    expect(hits(fake, 'login')).toBe(1);
    expect(hits(fake, 'getAPIToken')).toBe(1);
    expect(hits(fake, 'generateAPIToken')).toBe(0);
  });
});
