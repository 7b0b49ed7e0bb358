import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type OTPPolicy, resolvePolicy } from '../src/engine/policy.js';
import { isNepaliMobile } from '../src/phone.js';

const DAY = 86_400;

/**
 * Each integer option with its documented range, and the other options it needs to be valid at
 * either end (a lock may not outlast the failure window, nor be shorter than the first lock).
 */
const RANGES: [keyof OTPPolicy, number, number, OTPPolicy?, boolean?][] = [
  ['codeLength', 6, 10],
  ['ttlInSeconds', 1, 600],
  ['maxAttemptsPerCode', 1, 100],
  ['lockAfterFailures', 1, 100],
  ['lockBaseInSeconds', 1, DAY, { lockMaxInSeconds: DAY }],
  ['lockMaxInSeconds', 1, 30 * DAY, { lockBaseInSeconds: 1, failureWindowInSeconds: 30 * DAY }],
  ['failureWindowInSeconds', 1, 30 * DAY, { lockBaseInSeconds: 1, lockMaxInSeconds: 1 }],
  ['resendCooldownInSeconds', 0, DAY],
  ['maxSendsPerWindow', 1, 1_000],
  ['sendWindowInSeconds', 1, 30 * DAY],
  ['maxSendsPerIP', 1, 1_000_000, {}, true],
  ['ipWindowInSeconds', 1, 30 * DAY],
  ['sendBudget', 1, 1_000_000_000, {}, true],
  ['budgetWindowInSeconds', 1, 31 * DAY],
  ['creditsLowThreshold', 0, Number.MAX_SAFE_INTEGER],
];

describe('policy bounds', () => {
  it.each(RANGES)('%s accepts %i and %i, its two ends', (name, min, max, context = {}) => {
    expect(resolvePolicy({ ...context, [name]: min })).toBeTruthy();
    expect(resolvePolicy({ ...context, [name]: max })).toBeTruthy();
  });

  it.each(RANGES)(
    '%s refuses one below %i and one above %i, naming the range and the value',
    (name, min, max, context = {}, infinity = false) => {
      const message = (value: number): TypeError =>
        new TypeError(
          `OTPEngine: policy.${name} must be an integer from ${min} to ${max}${
            infinity ? ' (or Infinity to turn it off)' : ''
          }, got ${value}${
            name === 'ttlInSeconds'
              ? ' (a code must not work longer than 10 minutes: NIST 800-63B-4 3.1.3.2)'
              : ''
          }`,
        );
      expect(() => resolvePolicy({ ...context, [name]: min - 1 })).toThrow(message(min - 1));
      // MAX_SAFE_INTEGER + 1 is still an integer, and still too large.
      expect(() => resolvePolicy({ ...context, [name]: max + 1 })).toThrow(message(max + 1));
      expect(() => resolvePolicy({ ...context, [name]: min + 0.5 })).toThrow(TypeError);
      expect(() => resolvePolicy({ ...context, [name]: String(min) })).toThrow(TypeError);
      expect(() => resolvePolicy({ ...context, [name]: Number.NaN })).toThrow(TypeError);
    },
  );

  it.each(RANGES)('%s takes Infinity only where it turns a limit off', (name, ...rest) => {
    const [, , context = {}, infinity = false] = rest;
    const policy = { ...context, [name]: Number.POSITIVE_INFINITY };
    if (infinity) {
      expect(resolvePolicy(policy)[name as 'sendBudget']).toBe(Number.POSITIVE_INFINITY);
    } else {
      expect(() => resolvePolicy(policy)).toThrow(`got Infinity`);
    }
    expect(() => resolvePolicy({ ...context, [name]: Number.NEGATIVE_INFINITY })).toThrow(
      TypeError,
    );
  });

  it('says why the lifetime is capped at 10 minutes', () => {
    expect(() => resolvePolicy({ ttlInSeconds: 601 })).toThrow(
      'OTPEngine: policy.ttlInSeconds must be an integer from 1 to 600, got 601 ' +
        '(a code must not work longer than 10 minutes: NIST 800-63B-4 3.1.3.2)',
    );
  });

  it('a lock may equal the first lock and the failure window, not exceed or undercut them', () => {
    expect(resolvePolicy({ lockBaseInSeconds: 120, lockMaxInSeconds: 120 })).toMatchObject({
      lockBaseInMilliseconds: 120_000,
      lockMaxInMilliseconds: 120_000,
    });
    expect(() => resolvePolicy({ lockBaseInSeconds: 120, lockMaxInSeconds: 119 })).toThrow(
      'OTPEngine: policy.lockMaxInSeconds (119) must be at least policy.lockBaseInSeconds (120)',
    );
    expect(resolvePolicy({ lockMaxInSeconds: 7_200, failureWindowInSeconds: 7_200 })).toMatchObject(
      { lockMaxInMilliseconds: 7_200_000, failureWindowInMilliseconds: 7_200_000 },
    );
    expect(() => resolvePolicy({ lockMaxInSeconds: 7_200, failureWindowInSeconds: 7_199 })).toThrow(
      'OTPEngine: policy.failureWindowInSeconds (7199) must be at least policy.lockMaxInSeconds ' +
        '(7200), or locks would stop growing',
    );
  });

  it('budgetLowRatio is a number in (0, 1]', () => {
    expect(resolvePolicy({ budgetLowRatio: 1 }).budgetLowRatio).toBe(1);
    expect(resolvePolicy({ budgetLowRatio: 1e-9 }).budgetLowRatio).toBe(1e-9);
    for (const ratio of [0, -0.5, 1.000001, Number.NaN, '0.5', Number.POSITIVE_INFINITY]) {
      expect(() => resolvePolicy({ budgetLowRatio: ratio as number })).toThrow(
        `OTPEngine: policy.budgetLowRatio must be a number in (0, 1], got ${String(ratio)}`,
      );
    }
  });

  it('allowList must be a function, resendFallbackToVoice a boolean', () => {
    expect(() => resolvePolicy({ allowList: 'all' as never })).toThrow(
      'OTPEngine: policy.allowList must be a function `(phone: PhoneNumber) => boolean`, e.g. isNepaliMobile',
    );
    expect(() => resolvePolicy({ resendFallbackToVoice: 1 as never })).toThrow(
      'OTPEngine: policy.resendFallbackToVoice must be a boolean',
    );
    const allowAll = (): boolean => true;
    expect(resolvePolicy({ allowList: allowAll, resendFallbackToVoice: true })).toMatchObject({
      allowList: allowAll,
      resendFallbackToVoice: true,
    });
  });

  it('refuses a policy that is not an object, and unknown options with the known ones listed', () => {
    for (const policy of [null, 'strict', 5, true]) {
      expect(() => resolvePolicy(policy)).toThrow(
        'OTPEngine: `policy` must be an object of policy options',
      );
    }
    expect(() => resolvePolicy({ ttl: 300 })).toThrow(
      `OTPEngine: unknown policy option \`ttl\`; known options: ${Object.keys(DEFAULT_POLICY).join(', ')}`,
    );
  });
});

describe('policy defaults', () => {
  const RESOLVED_DEFAULTS = {
    codeLength: 6,
    ttlInMilliseconds: 300_000,
    maxAttemptsPerCode: 5,
    lockAfterFailures: 5,
    lockBaseInMilliseconds: 60_000,
    lockMaxInMilliseconds: 3_600_000,
    failureWindowInMilliseconds: 86_400_000,
    cooldownInMilliseconds: 60_000,
    maxSendsPerWindow: 5,
    sendWindowInMilliseconds: 600_000,
    maxSendsPerIP: 20,
    ipWindowInMilliseconds: 3_600_000,
    sendBudget: 1_000,
    budgetWindowInMilliseconds: 86_400_000,
    budgetLowRatio: 0.8,
    creditsLowThreshold: 100,
    allowList: isNepaliMobile,
    resendFallbackToVoice: false,
  };

  it('resolves every default, durations in milliseconds', () => {
    expect(resolvePolicy()).toEqual(RESOLVED_DEFAULTS);
    expect(resolvePolicy({})).toEqual(RESOLVED_DEFAULTS);
  });

  it('an option given as undefined takes its default', () => {
    const undefinedEverywhere = Object.fromEntries(
      Object.keys(DEFAULT_POLICY).map((key) => [key, undefined]),
    );
    expect(resolvePolicy(undefinedEverywhere)).toEqual(RESOLVED_DEFAULTS);
  });

  it('converts every duration given in seconds to milliseconds', () => {
    expect(
      resolvePolicy({
        ttlInSeconds: 7,
        lockBaseInSeconds: 11,
        lockMaxInSeconds: 13,
        failureWindowInSeconds: 17,
        resendCooldownInSeconds: 19,
        sendWindowInSeconds: 23,
        ipWindowInSeconds: 29,
        budgetWindowInSeconds: 31,
      }),
    ).toMatchObject({
      ttlInMilliseconds: 7_000,
      lockBaseInMilliseconds: 11_000,
      lockMaxInMilliseconds: 13_000,
      failureWindowInMilliseconds: 17_000,
      cooldownInMilliseconds: 19_000,
      sendWindowInMilliseconds: 23_000,
      ipWindowInMilliseconds: 29_000,
      budgetWindowInMilliseconds: 31_000,
    });
  });
});
