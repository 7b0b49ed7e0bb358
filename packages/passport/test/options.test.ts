/** Options are checked once, at construction: a mistake is a TypeError that says what to write. */
import { describe, expect, it } from 'vitest';
import { Strategy, type StrategyOptions } from '../src/index.js';
import { makeEngine } from './helpers.js';

const { engine } = makeEngine();
const verify = (phone: string, done: (error: unknown, user?: object) => void) =>
  done(null, { phone });

describe('new Strategy(options, verify)', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /options are required/],
    ['no engine', {}, /`engine` must be an OTPEngine/],
    ['an engine without verify', { engine: { send() {} } }, /`engine` must be an OTPEngine/],
    ['an unknown option', { engine, usernameField: 'phone' }, /unknown option `usernameField`/],
    ['an empty field name', { engine, phoneField: '' }, /`phoneField` must be a non-empty string/],
    ['a field name that is not a string', { engine, codeField: 7 }, /`codeField`/],
    ['two fields with one name', { engine, codeField: 'phone' }, /must differ/],
    ['a purpose with spaces', { engine, purpose: 'sign in' }, /`purpose`/],
    ['an empty name', { engine, name: '' }, /`name`/],
    ['passReqToCallback as a string', { engine, passReqToCallback: 'yes' }, /passReqToCallback/],
    ['crossSiteProtection: true', { engine, crossSiteProtection: true }, /crossSiteProtection/],
    ['a CSRF middleware', { engine, crossSiteProtection: () => {} }, /crossSiteProtection/],
    [
      'allowedOrigins as a string',
      { engine, allowedOrigins: 'https://a.example' },
      /allowedOrigins/,
    ],
    [
      'an origin with a path',
      { engine, allowedOrigins: ['https://a.example/app'] },
      /must be an origin only .*no path/,
    ],
    ['an origin that is not a URL', { engine, allowedOrigins: ['a.example'] }, /not an origin/],
    ['ip that is not a function', { engine, ip: 'x-forwarded-for' }, /`ip` must be a function/],
    [
      'a misspelled option',
      { engine, purpse: 'sign-in' },
      /unknown option `purpse`; known options: engine, purpose/,
    ],
    [
      'maxBodyInBytes (the body parser reads the body)',
      { engine, maxBodyInBytes: 1024 },
      /unknown option `maxBodyInBytes`/,
    ],
    [
      'trustProxy (Express has its own `trust proxy`)',
      { engine, trustProxy: true },
      /unknown option `trustProxy`/,
    ],
    ['a field name the protocol uses for resend', { engine, phoneField: 'resend' }, /must differ/],
  ])('throws a TypeError for %s', (_, options, message) => {
    expect(() => new Strategy(options as StrategyOptions, verify)).toThrow(TypeError);
    expect(() => new Strategy(options as StrategyOptions, verify)).toThrow(message);
  });

  it('throws a TypeError without a verify callback', () => {
    expect(() => new Strategy({ engine }, undefined as never)).toThrow(
      /verify callback is required/,
    );
  });

  it('takes every option', () => {
    const strategy = new Strategy(
      {
        engine,
        phoneField: 'mobile',
        codeField: 'otp',
        channelField: 'via',
        voiceField: 'speaker',
        purpose: 'step-up',
        name: 'phone',
        passReqToCallback: false,
        crossSiteProtection: false,
        allowedOrigins: ['https://app.example.com', 'http://localhost:3000/'],
        allowRequestsWithoutOrigin: false,
        ip: (req) => req.ip,
      },
      verify,
    );
    expect(strategy.name).toBe('phone');
  });
});
