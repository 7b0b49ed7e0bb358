import { DeliveryFailedError } from '@tingting-auth/core';

/**
 * INTERIM: a bare send-OTP call (seed 001), used until `TingTingClient` from @tingting-auth/core
 * (timeouts, response validation, credits, no retry of a send) is in the workspace; then this
 * becomes `new TingTingClient({ apiToken, baseURL })`.
 *
 * @param {{ apiToken: string; baseURL?: string }} options
 * @returns {import('@tingting-auth/core').OTPSender}
 */
export function createTingTingSender({ apiToken, baseURL = 'https://app.tingting.io' }) {
  return async (delivery) => {
    const response = await fetch(`${baseURL}/api/v1/auths/send/otp/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        number: delivery.nationalNumber,
        message: delivery.message,
        sms_send_options: delivery.channel,
        otp_options: 'personnel',
        otp: delivery.code,
        ...(delivery.voice ? { voice_input: delivery.voice } : {}),
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new DeliveryFailedError(`TingTing answered ${response.status}`);
    return undefined;
  };
}
