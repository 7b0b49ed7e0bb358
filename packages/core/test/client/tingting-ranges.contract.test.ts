/**
 * The ranges TingTing delivers to: core's `TINGTING_MOBILE_PREFIXES` (behind the default
 * allow-list and the client's number check) and the fake TingTing, written apart from core, must
 * agree. Every three-digit prefix 900-999 is tried: whatever core admits, the fake delivers to,
 * and at the level of the two-digit ranges the two say exactly the same.
 */

import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliveryFailedError,
  isNepaliMobile,
  MemoryStore,
  OTPEngine,
  parsePhoneNumber,
  TINGTING_MOBILE_PREFIXES,
} from '../../src/index.js';
import { tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeAll(async () => {
  fake = await startFakeTingTing({ credits: { sms: 10_000, phone: 10_000 } });
});
afterAll(() => fake.close());

/** A send straight to the fake over HTTP, past our client's own number check. */
async function fakeAccepts(number: string): Promise<boolean> {
  const response = await fetch(`${fake.url}/api/v1/auths/send/otp/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      number,
      message: 'Your code is {otp}',
      sms_send_options: 'text',
      otp_options: 'personnel',
      otp: '604218',
    }),
  });
  if (response.status !== 200 && response.status !== 400) {
    throw new Error(`unexpected answer ${response.status} for ${number}`);
  }
  return response.status === 200;
}

const PREFIXES = Array.from({ length: 100 }, (_, i) => String(900 + i));

describe('the ranges TingTing delivers to', () => {
  it('the fake delivers to every number the default allow-list admits', async () => {
    const admitted: string[] = [];
    for (const prefix of PREFIXES) {
      for (const number of [`${prefix}0000000`, `${prefix}1234567`, `${prefix}9999999`]) {
        const phone = parsePhoneNumber(number);
        if (phone === undefined || !isNepaliMobile(phone)) continue;
        admitted.push(number);
        expect(await fakeAccepts(number), number).toBe(true);
      }
    }
    // Not vacuous: NTC, Ncell and Smart ranges are in.
    expect(admitted).toEqual(expect.arrayContaining(['9841234567', '9801234567', '9611234567']));
  });

  it('the fake and TINGTING_MOBILE_PREFIXES name the same two-digit ranges', async () => {
    const accepted: string[] = [];
    for (let range = 10; range < 100; range++) {
      if (await fakeAccepts(`${range}12345678`)) accepted.push(String(range));
    }
    expect(accepted).toEqual([...TINGTING_MOBILE_PREFIXES]);
  });

  it('refuses +977 900… as invalid_phone: no provider call, no 502', async () => {
    const engine = new OTPEngine({
      sender: tokenClient(fake),
      secret: 'a'.repeat(32),
      store: new MemoryStore(),
      logger: { warn: () => {} },
    });
    const before = fake.requests.length;
    const result = await engine.send({ phone: '+977 9001234567' }).catch((error: unknown) => error);
    expect(result).not.toBeInstanceOf(DeliveryFailedError);
    expect(result).toEqual({ ok: false, reason: 'invalid_phone' });
    expect(fake.requests.length).toBe(before);
  });
});
