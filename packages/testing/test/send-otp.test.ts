import { describe, expect, it } from 'vitest';
import { API, manualClock, sendOTP, startFake } from './helpers.js';

const NUMBER = '9851023212';

describe('send OTP (seed 001)', () => {
  it('delivers a personnel OTP and answers the documented envelope with credits', async () => {
    const fake = await startFake({ credits: { sms: 63, phone: 127 } });
    const response = await sendOTP(fake, {
      number: NUMBER,
      message: 'Hi your OTP is {otp}',
      sms_send_options: 'text',
      otp_options: 'personnel',
      otp: '12345',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 200,
      success: true,
      message: 'OTP Sent Successfully.',
      errors: [],
      data: {
        details: {
          number: NUMBER,
          otp_options: 'personnel',
          message: 'Hi your OTP is {otp}',
          otp: '12345',
          sms_send_options: 'text',
          credits_used: 1,
          remaining_sms_credits: 62,
          remaining_phone_credits: 127,
        },
      },
    });
    expect(fake.outbox.last(NUMBER)).toMatchObject({
      number: NUMBER,
      message: 'Hi your OTP is 12345',
      otp: '12345',
      channel: 'text',
      otpOptions: 'personnel',
      creditsUsed: 1,
    });
  });

  it('generates a 6-digit code by default and honours otp_length', async () => {
    const fake = await startFake();
    const first = await (
      await sendOTP(fake, { number: NUMBER, message: 'Code {otp}', sms_send_options: 'text' })
    ).json();
    expect(first.data.details.otp_options).toBe('generated');
    expect(first.data.details.otp).toMatch(/^\d{6}$/);
    expect(fake.outbox.last()!.message).toBe(`Code ${first.data.details.otp}`);
    const long = await (
      await sendOTP(fake, {
        number: NUMBER,
        message: '{otp}',
        sms_send_options: 'text',
        otp_options: 'generated',
        otp_length: 10,
      })
    ).json();
    expect(long.data.details.otp).toMatch(/^\d{10}$/);
    const codes = new Set<string>();
    for (let index = 0; index < 5; index++) {
      const body = await (
        await sendOTP(fake, { number: NUMBER, message: '{otp}', sms_send_options: 'text' })
      ).json();
      codes.add(body.data.details.otp);
    }
    expect(codes.size).toBeGreaterThan(1);
  });

  it('calls with a voice and charges a phone credit', async () => {
    const fake = await startFake({ credits: { sms: 5, phone: 5 } });
    const response = await sendOTP(fake, {
      number: NUMBER,
      message: 'तपाईंको कोड {otp} हो',
      sms_send_options: 'voice',
      voice_input: 'np_binod',
      otp_options: 'personnel',
      otp: '4821',
    });
    const body = await response.json();
    expect(body.data.details).toMatchObject({
      credits_used: 1,
      remaining_sms_credits: 5,
      remaining_phone_credits: 4,
    });
    expect(fake.outbox.last()).toMatchObject({
      channel: 'voice',
      voice: 'np_binod',
      message: 'तपाईंको कोड 4821 हो',
    });
  });

  it('charges one SMS credit per 70 characters of a Devanagari text', async () => {
    const fake = await startFake({ credits: { sms: 10 } });
    const message = `${'क'.repeat(75)} {otp}`;
    const body = await (
      await sendOTP(fake, {
        number: NUMBER,
        message,
        sms_send_options: 'text',
        otp_options: 'personnel',
        otp: '1234',
      })
    ).json();
    expect(body.data.details.credits_used).toBe(2);
    expect(fake.credits.sms).toBe(8);
  });

  it.each([
    [{}, ['number', 'message', 'sms_send_options']],
    [{ number: '+9779851023212', message: 'x {otp}', sms_send_options: 'text' }, ['number']],
    [{ number: NUMBER, message: 'no placeholder', sms_send_options: 'text' }, ['message']],
    [{ number: NUMBER, message: '{otp}', sms_send_options: 'sms' }, ['sms_send_options']],
    [{ number: NUMBER, message: '{otp}', sms_send_options: 'voice' }, ['voice_input']],
    [
      { number: NUMBER, message: '{otp}', sms_send_options: 'voice', voice_input: 'en_bob' },
      ['voice_input'],
    ],
    [
      { number: NUMBER, message: '{otp}', sms_send_options: 'text', otp_options: 'personnel' },
      ['otp'],
    ],
    [
      {
        number: NUMBER,
        message: '{otp}',
        sms_send_options: 'text',
        otp_options: 'personnel',
        otp: '12a4',
      },
      ['otp'],
    ],
    [
      { number: NUMBER, message: '{otp}', sms_send_options: 'text', otp_options: 'mine' },
      ['otp_options'],
    ],
    [{ number: NUMBER, message: '{otp}', sms_send_options: 'text', otp_length: 3 }, ['otp_length']],
    [
      { number: NUMBER, message: '{otp}', sms_send_options: 'text', otp_length: 11 },
      ['otp_length'],
    ],
  ])('refuses %j with a 400 envelope naming %j', async (body, fields) => {
    const fake = await startFake();
    const response = await sendOTP(fake, body);
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer).toMatchObject({
      status: 400,
      success: false,
      data: null,
      message: expect.any(String),
    });
    expect(answer.errors.map((error: { field: string }) => error.field)).toEqual(fields);
    expect(fake.outbox.messages).toHaveLength(0);
    expect(fake.credits).toEqual({ sms: 100, phone: 100 });
  });

  it('refuses to send once the credits run out, with a 402 envelope', async () => {
    const fake = await startFake({ credits: { sms: 2, phone: 0 } });
    const text = { number: NUMBER, message: '{otp}', sms_send_options: 'text' };
    expect((await sendOTP(fake, text)).status).toBe(200);
    expect((await sendOTP(fake, text)).status).toBe(200);
    const out = await sendOTP(fake, text);
    expect(out.status).toBe(402);
    expect(await out.json()).toMatchObject({
      status: 402,
      success: false,
      message: 'Insufficient SMS credits.',
      data: null,
    });
    const voice = await sendOTP(fake, {
      ...text,
      sms_send_options: 'voice',
      voice_input: 'np_rija',
    });
    expect(voice.status).toBe(402);
    expect((await voice.json()).message).toBe('Insufficient phone credits.');
    expect(fake.outbox.messages).toHaveLength(2);
    fake.setCredits({ sms: 1 });
    expect((await sendOTP(fake, text)).status).toBe(200);
  });

  it('requires the API token', async () => {
    const fake = await startFake();
    const response = await sendOTP(
      fake,
      { number: NUMBER, message: '{otp}', sms_send_options: 'text' },
      'wrong',
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Invalid token.' });
  });
});

describe('list sent OTPs (seed 001)', () => {
  it('pages newest first through count, total_pages, next, previous and the results envelope', async () => {
    const clock = manualClock(Date.parse('2025-10-29T07:48:55.512Z'));
    const fake = await startFake({ now: clock.now, pageSize: 2 });
    for (const otp of ['1111', '2222', '3333', '4444', '5555']) {
      await sendOTP(fake, {
        number: NUMBER,
        message: 'Hi, your otp is {otp}',
        sms_send_options: 'text',
        otp_options: 'personnel',
        otp,
      });
    }
    const headers = { authorization: `Bearer ${fake.apiToken}` };
    const first = await (await fetch(`${fake.url}${API}/list/send-otps/`, { headers })).json();
    expect(first).toMatchObject({ count: 5, total_pages: 3, previous: null });
    expect(first.next).toBe(`${fake.url}${API}/list/send-otps/?page=2`);
    expect(first.results).toEqual({
      status: 200,
      success: true,
      errors: [],
      data: [
        {
          id: 5,
          phone_number: NUMBER,
          message: 'Hi, your otp is 5555',
          otp: '5555',
          otp_options: 'personnel',
          sms_send_options: 'text',
          created_at: '2025-10-29T13:33:55.512000+05:45',
        },
        expect.objectContaining({ id: 4, otp: '4444' }),
      ],
    });
    const seen: string[] = [];
    let next: string | null = `${fake.url}${API}/list/send-otps/`;
    let pages = 0;
    let last: { previous: string | null } | undefined;
    while (next !== null) {
      const page = await (await fetch(next, { headers })).json();
      seen.push(...page.results.data.map((row: { otp: string }) => row.otp));
      next = page.next;
      last = page;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['5555', '4444', '3333', '2222', '1111']);
    expect(last!.previous).toBe(`${fake.url}${API}/list/send-otps/?page=2`);
    const second = await (
      await fetch(`${fake.url}${API}/list/send-otps/?page=2`, { headers })
    ).json();
    expect(second.previous).toBe(`${fake.url}${API}/list/send-otps/`);
  });

  it('answers an empty first page and 404 "Invalid page." past the end', async () => {
    const fake = await startFake();
    const headers = { authorization: `Bearer ${fake.apiToken}` };
    const empty = await (await fetch(`${fake.url}${API}/list/send-otps/`, { headers })).json();
    expect(empty).toEqual({
      count: 0,
      total_pages: 1,
      next: null,
      previous: null,
      results: { status: 200, success: true, errors: [], data: [] },
    });
    for (const page of ['2', '0', 'abc']) {
      const response = await fetch(`${fake.url}${API}/list/send-otps/?page=${page}`, { headers });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Invalid page.' });
    }
  });
});
