/**
 * Parity with core's protocol: the same HTTP requests through core's `createOTPProtocol` directly
 * (the raw body, read by core) and through a real `passport.authenticate` pipeline (Express 5 and
 * 4, `express.json()` and `express.urlencoded()`, passport 0.7, the strategy, a custom callback that
 * answers the challenge and status it gets) get the same status, code, body and `Retry-After`.
 *
 * Each case runs on a pair of fresh engines in the same state (same clock, the same fixed code for
 * the known number), one per side. Fixed cases cover every answer; the generated ones are the
 * hostile field values of `test-support/hostile` (spellings of the number, garbled and wrong-type
 * fields, extra keys). Bodies the host's parser refuses (broken JSON, a charset) never reach the
 * strategy, so they are the parser's business, not this test's.
 */

import type { OTPPolicy } from '@tingting-auth/core';
import {
  createOTPProtocol,
  type ProtocolRequest,
  resolveProtocolOptions,
} from '@tingting-auth/core/protocol';
import express5, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import passport from 'passport';
import request from 'supertest';
import { fieldValues } from 'test-support/hostile';
import { describe, expect, it } from 'vitest';
import { Strategy, type TingTingChallenge, type TingTingSent } from '../src/index.js';
import { makeEngine } from './helpers.js';

const KNOWN = '9841000001';
const OTHER = '9801000002';
const CODE = '246810';
const WRONG = '135790';
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

type Step = 'send' | 'verify';

interface Case {
  name: string;
  step: Step;
  /** The raw body (JSON text unless `headers` say otherwise). */
  body: string;
  headers?: Record<string, string>;
  /** What happened before, on both engines. */
  before?: (engine: ReturnType<typeof makeEngine>['engine']) => Promise<unknown>;
  policy?: OTPPolicy;
  /** The app sets `trust proxy`. */
  trustProxy?: boolean;
}

interface Seen {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

function engines(policy: OTPPolicy = {}) {
  return makeEngine({ policy, testMode: { codes: { [KNOWN]: CODE } } });
}

async function viaProtocol(c: Case): Promise<Seen> {
  const { engine } = engines(c.policy);
  await c.before?.(engine);
  const otp = createOTPProtocol(resolveProtocolOptions('parity', { engine }));
  const input: ProtocolRequest = {
    method: 'POST',
    headers: { host: '127.0.0.1', ...JSON_TYPE, ...c.headers },
    body: new TextEncoder().encode(c.body),
    trustForwardedHost: c.trustProxy === true,
  };
  const { answer } = await (c.step === 'send' ? otp.send(input) : otp.verify(input));
  const body = answer.body as { phone?: string } | undefined;
  return {
    status: answer.status,
    // A sign-in's own answer is the app's: compare the verified number.
    body: c.step === 'verify' && answer.status === 200 ? { phone: body?.phone } : body,
    retryAfter: answer.headers['retry-after'] ?? null,
  };
}

type Express = typeof express5;

async function viaPassport(c: Case, express: Express): Promise<Seen> {
  const { engine } = engines(c.policy);
  await c.before?.(engine);
  const authenticator = new passport.Passport();
  authenticator.use(new Strategy({ engine }, async (phone) => ({ phone })));
  const app = express();
  if (c.trustProxy === true) app.set('trust proxy', true);
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.post('/:step', (req: Request, res: Response, next: NextFunction) => {
    const options = {
      tingtingAction: req.params.step as Step,
      tingtingCallback: true,
      session: false,
    };
    type Info = TingTingSent | TingTingChallenge | undefined;
    authenticator.authenticate(
      'tingting',
      options,
      (error: unknown, user: Express.User | false, info: Info, status?: number) => {
        if (error) return next(error);
        if (user) return res.status(200).json({ phone: (user as { phone: string }).phone });
        if (status === 202) return res.status(202).json(info);
        const { code, message } = info as TingTingChallenge;
        res.status(status ?? 500).json({ error: { code, message } });
      },
    )(req, res, next);
  });
  const answer = await request(app)
    .post(`/${c.step}`)
    .set({ ...JSON_TYPE, ...c.headers })
    .send(c.body);
  return {
    status: answer.status,
    body: answer.body,
    retryAfter: (answer.headers['retry-after'] as string | undefined) ?? null,
  };
}

const json = (value: unknown): string => JSON.stringify(value);
const sendTo = (phone: string) => (engine: ReturnType<typeof makeEngine>['engine']) =>
  engine.send({ phone });

const CASES: Case[] = [
  { name: 'send: a number', step: 'send', body: json({ phone: OTHER }) },
  {
    name: 'send: a call in a voice, as a form',
    step: 'send',
    body: `phone=${OTHER}&channel=voice&voice=np_binod`,
    headers: FORM_TYPE,
  },
  { name: 'send: a landline', step: 'send', body: json({ phone: '+97714412345' }) },
  { name: 'send: no phone', step: 'send', body: '{}' },
  { name: 'send: an empty phone', step: 'send', body: json({ phone: '' }) },
  { name: 'send: a phone that is a number', step: 'send', body: '{"phone":9841234567}' },
  { name: 'send: an unknown channel', step: 'send', body: json({ phone: OTHER, channel: 'x' }) },
  { name: 'send: an unknown voice', step: 'send', body: json({ phone: OTHER, voice: 'x' }) },
  {
    name: 'send: a repeated form field',
    step: 'send',
    body: `phone=${OTHER}&phone=${KNOWN}`,
    headers: FORM_TYPE,
  },
  { name: 'send: a JSON array', step: 'send', body: json([OTHER]) },
  {
    name: 'send: a cross-site post',
    step: 'send',
    body: json({ phone: OTHER }),
    headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  },
  {
    name: 'send: an Origin of another host (no Sec-Fetch-Site)',
    step: 'send',
    body: json({ phone: OTHER }),
    headers: { origin: 'https://evil.example' },
  },
  {
    name: 'send: an Origin of the X-Forwarded-Host, no trusted proxy',
    step: 'send',
    body: json({ phone: OTHER }),
    headers: { origin: 'https://app.example', 'x-forwarded-host': 'app.example' },
  },
  {
    name: 'send: an Origin of the X-Forwarded-Host behind a trusted proxy',
    step: 'send',
    body: json({ phone: OTHER }),
    headers: { origin: 'https://app.example', 'x-forwarded-host': 'app.example' },
    trustProxy: true,
  },
  {
    name: 'send: during the resend cooldown',
    step: 'send',
    body: json({ phone: OTHER }),
    before: sendTo(OTHER),
  },
  {
    name: 'send: a resend during the cooldown',
    step: 'send',
    body: json({ phone: OTHER, resend: 'true' }),
    before: sendTo(OTHER),
  },
  {
    name: 'send: the send budget spent',
    step: 'send',
    body: json({ phone: OTHER }),
    policy: { sendBudget: 1 },
    before: sendTo('9801000003'),
  },
  {
    name: 'verify: the right code',
    step: 'verify',
    body: json({ phone: KNOWN, code: CODE }),
    before: sendTo(KNOWN),
  },
  {
    name: 'verify: the right code, in another spelling of the number',
    step: 'verify',
    body: json({ phone: `+977-${KNOWN}`, code: CODE }),
    before: sendTo(KNOWN),
  },
  {
    name: 'verify: a wrong code',
    step: 'verify',
    body: json({ phone: KNOWN, code: WRONG }),
    before: sendTo(KNOWN),
  },
  {
    name: 'verify: a code never sent',
    step: 'verify',
    body: json({ phone: OTHER, code: WRONG }),
  },
  {
    name: 'verify: a malformed code',
    step: 'verify',
    body: json({ phone: KNOWN, code: '12ab' }),
    before: sendTo(KNOWN),
  },
  { name: 'verify: no code', step: 'verify', body: json({ phone: KNOWN }), before: sendTo(KNOWN) },
  {
    name: 'verify: a code that is a number',
    step: 'verify',
    body: `{"phone":"${KNOWN}","code":${CODE}}`,
    before: sendTo(KNOWN),
  },
  {
    name: 'verify: a locked number',
    step: 'verify',
    body: json({ phone: KNOWN, code: CODE }),
    policy: { lockAfterFailures: 2 },
    before: async (engine) => {
      await engine.send({ phone: KNOWN });
      await engine.verify({ phone: KNOWN, code: WRONG });
      await engine.verify({ phone: KNOWN, code: WRONG });
    },
  },
  {
    name: 'verify: a cross-site post',
    step: 'verify',
    body: json({ phone: KNOWN, code: CODE }),
    headers: { 'sec-fetch-site': 'same-site' },
    before: sendTo(KNOWN),
  },
];

/** Every answer the cases must reach, so a case that stops testing what it says fails. */
const EXPECTED_STATUSES = [200, 202, 400, 401, 403, 429, 503];

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s + passport: the same answers as core’s protocol', (_name, express) => {
  it.each(CASES)('$name', async (c) => {
    const expected = await viaProtocol(c);
    expect(await viaPassport(c, express)).toEqual(expected);
  });

  it('the cases reach every answer', async () => {
    const statuses = new Set<number>();
    for (const c of CASES) statuses.add((await viaProtocol(c)).status);
    expect([...statuses].sort()).toEqual(EXPECTED_STATUSES);
  });

  it('generated hostile fields get the same answers', async () => {
    const values = fieldValues(CODE, { phone: KNOWN, poolPrefix: '98412345' });
    const phone = fc.oneof(values.phoneText, values.wrongType);
    const code = fc.oneof(values.codeText, values.wrongType, fc.constant(CODE));
    const fields = fc.record(
      { phone, code, channel: values.channel, voice: values.voice, extra: values.extra },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Step>('send', 'verify'), fields, async (step, f) => {
        const { extra = {}, ...named } = f;
        const c: Case = { name: 'generated', step, body: json({ ...extra, ...named }) };
        if (step === 'verify') c.before = sendTo(KNOWN);
        expect(await viaPassport(c, express)).toEqual(await viaProtocol(c));
      }),
      { numRuns: 60 },
    );
  });
});
