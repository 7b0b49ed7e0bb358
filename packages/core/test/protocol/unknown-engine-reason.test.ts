/**
 * An engine (any object with `send` and `verify`) that refuses with a reason the answer table does
 * not list is answered 503 SERVICE_UNAVAILABLE, also when the reason is the name of an
 * `Object.prototype` property: the table lookup must not find `toString` on the prototype.
 */
import { describe, expect, it } from 'vitest';
import {
  createOTPProtocol,
  type OTPEngineAPI,
  type ProtocolRequest,
  resolveProtocolOptions,
} from '../../src/protocol/index.js';

function json(fields: unknown): ProtocolRequest {
  const text = JSON.stringify(fields);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(text.length) },
    body: new TextEncoder().encode(text),
  };
}

function refusingEngine(reason: string): OTPEngineAPI {
  const refuse = async () => ({ ok: false, reason }) as never;
  return { send: refuse, verify: refuse } as unknown as OTPEngineAPI;
}

const REASONS = ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf', 'no_such'];

describe('an engine reason the table does not list', () => {
  for (const reason of REASONS) {
    it(`send refused with ${JSON.stringify(reason)}: 503 SERVICE_UNAVAILABLE, Retry-After 30`, async () => {
      const otp = createOTPProtocol(
        resolveProtocolOptions('t', { engine: refusingEngine(reason) }),
      );
      const result = await otp.send(json({ phone: '9841000001' }));
      expect(result.ok).toBe(false);
      expect(result.answer.status).toBe(503);
      expect(result.answer.headers['retry-after']).toBe('30');
      expect(result.answer.body).toEqual({
        error: {
          code: 'SERVICE_UNAVAILABLE',
          message: 'The service is unavailable. Please try again later.',
        },
      });
    });

    it(`verify refused with ${JSON.stringify(reason)}: 503 SERVICE_UNAVAILABLE, Retry-After 30`, async () => {
      const otp = createOTPProtocol(
        resolveProtocolOptions('t', { engine: refusingEngine(reason) }),
      );
      const result = await otp.verify(json({ phone: '9841000001', code: '123456' }));
      expect(result.ok).toBe(false);
      expect(result.answer.status).toBe(503);
      expect(result.answer.headers['retry-after']).toBe('30');
      expect(!result.ok && result.error.code).toBe('SERVICE_UNAVAILABLE');
    });
  }
});
