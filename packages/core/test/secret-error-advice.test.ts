import { describe, expect, it } from 'vitest';
import { OTPEngine } from '../src/engine/otp-engine.js';
import { recordingSender } from './helpers.js';

// A developer who starts the engine without a usable secret reads only this message: it must say
// how to make a good secret and where to keep it, word for word.
const ADVICE = "`crypto.randomBytes(32).toString('base64url')`";

function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected the constructor to throw');
}

describe('the secret errors tell how to make a secret', () => {
  it('no secret: the whole advice, with the command and where to keep its output', () => {
    const message = messageOf(() => new OTPEngine({ sender: recordingSender() } as never));
    expect(message).toBe(
      'OTPEngine: `secret` is required: a string or Uint8Array of at least 32 bytes, e.g. ' +
        `${ADVICE} kept in your secret store (OTP_SECRET)`,
    );
  });

  it('a secret of 31 bytes: the size it has, and the command to make one', () => {
    const message = messageOf(
      () => new OTPEngine({ sender: recordingSender(), secret: 'x'.repeat(31) }),
    );
    expect(message).toBe(
      `OTPEngine: \`secret\` must be at least 32 bytes, got 31; generate one with ${ADVICE}`,
    );
  });
});
