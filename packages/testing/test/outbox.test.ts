import { describe, expect, it } from 'vitest';
import { sendOTP, startFake } from './helpers.js';

const send = (fake: Awaited<ReturnType<typeof startFake>>, number: string, otp: string) =>
  sendOTP(fake, {
    number,
    message: 'Code {otp}',
    sms_send_options: 'text',
    otp_options: 'personnel',
    otp,
  });

describe('outbox', () => {
  it('keeps deliveries in order; last() matches national and E.164 forms', async () => {
    const fake = await startFake();
    await send(fake, '9812345678', '1111');
    await send(fake, '9841000000', '2222');
    await send(fake, '9812345678', '3333');
    expect(fake.outbox.messages.map((delivery) => delivery.otp)).toEqual(['1111', '2222', '3333']);
    expect(fake.outbox.messages.map((delivery) => delivery.id)).toEqual([1, 2, 3]);
    expect(fake.outbox.last()?.otp).toBe('3333');
    expect(fake.outbox.last('+977 9841000000')?.otp).toBe('2222');
    expect(fake.outbox.last('9800000000')).toBeUndefined();
    fake.outbox.clear();
    expect(fake.outbox.messages).toHaveLength(0);
  });

  it('waitFor() resolves on the next delivery to that number, or an existing one after `after`', async () => {
    const fake = await startFake();
    const before = new Date(Date.now() - 1);
    await send(fake, '9812345678', '1111');
    expect((await fake.outbox.waitFor('+9779812345678', { after: before })).otp).toBe('1111');
    const waiting = fake.outbox.waitFor('9812345678');
    await send(fake, '9841000000', '2222');
    await send(fake, '9812345678', '3333');
    expect((await waiting).otp).toBe('3333');
    await expect(fake.outbox.waitFor('9812345678', { timeoutInMilliseconds: 50 })).rejects.toThrow(
      /No OTP delivered to 9812345678 within 50 ms/,
    );
  });

  it('subscribe() tells every delivery until unsubscribed', async () => {
    const fake = await startFake();
    const seen: string[] = [];
    const unsubscribe = fake.outbox.subscribe((delivery) => seen.push(delivery.otp));
    await send(fake, '9812345678', '1111');
    unsubscribe();
    await send(fake, '9812345678', '2222');
    expect(seen).toEqual(['1111']);
  });
});
