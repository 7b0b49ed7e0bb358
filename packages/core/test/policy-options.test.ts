import { describe, expect, it } from 'vitest';
import { OTPEngine } from '../src/engine/otp-engine.js';
import { DEFAULT_POLICY } from '../src/engine/policy.js';
import { makeEngine, recordingSender, SECRET } from './helpers.js';

describe('policy options', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      codeLength: 6,
      ttlInSeconds: 300,
      maxAttemptsPerCode: 5,
      lockAfterFailures: 5,
      lockBaseInSeconds: 60,
      lockMaxInSeconds: 3_600,
      failureWindowInSeconds: 86_400,
      resendCooldownInSeconds: 60,
      maxSendsPerWindow: 5,
      sendWindowInSeconds: 600,
      maxSendsPerIP: 20,
      ipWindowInSeconds: 3_600,
      sendBudget: 1_000,
      budgetLowRatio: 0.8,
      resendFallbackToVoice: false,
    });
  });

  it('refuses unknown options with the list of known ones', () => {
    expect(() => makeEngine({ policy: { ttl: 300 } as never })).toThrow(
      /unknown policy option `ttl`; known options: codeLength/,
    );
  });

  it.each([
    ['resendCooldownInSeconds', -1],
    ['maxSendsPerWindow', 0],
    ['sendWindowInSeconds', 1.5],
    ['ipWindowInSeconds', '60'],
    ['budgetWindowInSeconds', 0],
    ['creditsLowThreshold', -5],
    ['resendFallbackToVoice', 'yes'],
    ['lockBaseInSeconds', Number.POSITIVE_INFINITY],
  ])('refuses policy.%s = %j with a TypeError naming it', (name, value) => {
    expect(() => makeEngine({ policy: { [name]: value } })).toThrow(new RegExp(`policy\\.${name}`));
  });

  it('refuses bad engine options', () => {
    const sender = recordingSender();
    expect(() => new OTPEngine(undefined as never)).toThrow(TypeError);
    expect(() => new OTPEngine({ secret: SECRET } as never)).toThrow(/sender/);
    expect(() => new OTPEngine({ sender: {} as never, secret: SECRET })).toThrow(/sender/);
    expect(() => new OTPEngine({ sender, secret: SECRET, store: {} as never })).toThrow(
      /store must implement OTPStore/,
    );
    expect(() => new OTPEngine({ sender, secret: SECRET, clock: 5 as never })).toThrow(/clock/);
    expect(() => new OTPEngine({ sender, secret: SECRET, defaultLocale: 'fr' as never })).toThrow(
      /defaultLocale/,
    );
    expect(() => new OTPEngine({ sender, secret: SECRET, defaultVoice: 'x' as never })).toThrow(
      /defaultVoice/,
    );
  });
});
