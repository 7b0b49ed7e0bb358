import { DeliveryFailedError, type OTPSender } from '@tingting-auth/core';
import type { FakeTingTing } from '@tingting-auth/testing';

/**
 * A sender that delivers through the fake TingTing over real HTTP (seed 001's send-OTP call).
 * INTERIM: `TingTingClient` from @tingting-auth/core replaces it once it is in the workspace.
 */
export function fakeSender(fake: FakeTingTing): OTPSender {
  return async (delivery) => {
    const response = await fetch(`${fake.url}/api/v1/auths/send/otp/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fake.apiToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        number: delivery.nationalNumber,
        message: delivery.message,
        sms_send_options: delivery.channel,
        otp_options: 'personnel',
        otp: delivery.code,
        ...(delivery.voice ? { voice_input: delivery.voice } : {}),
      }),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new DeliveryFailedError();
    return undefined;
  };
}

/** The `connect.sid` cookie value in a response's `Set-Cookie` headers. */
export function sessionCookie(headers: Record<string, unknown>): string | undefined {
  const raw = headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  for (const cookie of list as string[]) {
    const match = /^connect\.sid=([^;]+)/.exec(cookie);
    if (match) return match[1];
  }
  return undefined;
}
