/**
 * Parity with core's password protocol: the same requests through `createPasswordProtocol`
 * directly (the raw body, read by core) and through a real `passport.authenticate('upstream')`
 * pipeline (Express 5 and 4, `express.json()` and `express.urlencoded()`, passport 0.7, a custom
 * callback answering the challenge and status it gets, an error handler rendering thrown errors)
 * get the same status, code, field and `Retry-After`. Fixed cases reach every answer; generated
 * ones put hostile values (wrong types, arrays, objects, invisible characters, huge strings, extra
 * keys) in the fields. Both sides share one fake notes service with the sign-in limits off, so
 * every case meets the same upstream state. Bodies the host's parser refuses (broken JSON, a bare
 * JSON string under express.json's strict mode) never reach the strategy: the parser's business.
 */
import {
  createPasswordProtocol,
  isTingTingHTTPError,
  type ProtocolRequest,
  resolveRequestOptions,
} from '@tingting-auth/core/protocol';
import express5, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import passport from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamChallenge } from '../src/index.js';
import { PASSWORD, type UpstreamRig, upstreamRig, WRONG } from './upstream-helpers.js';

type Express = typeof express5;

interface Seen {
  status: number;
  code: unknown;
  field: unknown;
  retryAfter: string | null;
}

let rig: UpstreamRig;
beforeAll(async () => {
  rig = await upstreamRig('notes', { sessions: { throttle: false } });
});
afterAll(() => rig.close());

async function viaProtocol(body: string, headers: Record<string, string>): Promise<Seen> {
  const password = createPasswordProtocol(resolveRequestOptions('parity', {}), {
    sessions: rig.sessions,
    fieldNames: { identifier: ['username'] },
  });
  const input: ProtocolRequest = {
    method: 'POST',
    headers: { host: '127.0.0.1', ...headers },
    body: new TextEncoder().encode(body),
  };
  const { answer } = await password.signIn(input);
  const error = (answer.body as { error?: { code: unknown; field?: unknown } }).error;
  return {
    status: answer.status,
    code: error?.code ?? null,
    field: error?.field ?? null,
    retryAfter: answer.headers['retry-after'] ?? null,
  };
}

function passportApp(express: Express) {
  const authenticator = new passport.Passport();
  authenticator.use(rig.strategy({}, async (account) => ({ id: account.subject })));
  const app = express();
  app.use(express.json({ limit: '4kb' }), express.urlencoded({ extended: false, limit: '4kb' }));
  app.post('/login', (req: Request, res: Response, next: NextFunction) => {
    authenticator.authenticate(
      'upstream',
      { session: false },
      (error: unknown, user: Express.User | false, info: UpstreamChallenge, status?: number) => {
        if (error) return next(error);
        if (user) return res.status(200).json({ user });
        const { code, field } = info;
        res
          .status(status ?? 500)
          .json({ error: { code, ...(field === undefined ? {} : { field }) } });
      },
    )(req, res, next);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isTingTingHTTPError(error))
      res.status(error.status).set(error.headers).json(error.toJSON());
    else res.status(500).json({ error: { code: 'INTERNAL' } });
  });
  return app;
}

async function viaPassport(
  app: ReturnType<typeof passportApp>,
  body: string,
  headers: Record<string, string>,
): Promise<Seen> {
  const answer = await request(app).post('/login').set(headers).send(body);
  return {
    status: answer.status,
    code: answer.body?.error?.code ?? null,
    field: answer.body?.error?.field ?? null,
    retryAfter: (answer.headers['retry-after'] as string | undefined) ?? null,
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const json = (value: unknown): string => JSON.stringify(value);

const CASES: [string, string, Record<string, string>][] = [
  ['right password', json({ username: 'asha', password: PASSWORD }), JSON_TYPE],
  ['right password, as a form', `username=asha&password=${PASSWORD}`, FORM_TYPE],
  ['wrong password', json({ username: 'asha', password: WRONG }), JSON_TYPE],
  ['unknown user', json({ username: 'nobody', password: PASSWORD }), JSON_TYPE],
  ['inactive account', json({ username: 'bikash', password: PASSWORD }), JSON_TYPE],
  ['no fields', '{}', JSON_TYPE],
  ['no password', json({ username: 'asha' }), JSON_TYPE],
  ['empty username', json({ username: '', password: PASSWORD }), JSON_TYPE],
  ['username twice in a form', `username=asha&username=b&password=${PASSWORD}`, FORM_TYPE],
  ['password as a number', '{"username":"asha","password":12345678}', JSON_TYPE],
  ['password as an object', json({ username: 'asha', password: { $gt: '' } }), JSON_TYPE],
  ['a JSON array body', json(['asha', PASSWORD]), JSON_TYPE],
  [
    'cross-site',
    json({ username: 'asha', password: PASSWORD }),
    {
      ...JSON_TYPE,
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    },
  ],
];

const hostileValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('asha', PASSWORD, ' asha ', 'asha\u200B', '\u0000', 'x'.repeat(1_000)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const hostileBody = fc.record(
  {
    username: hostileValue,
    password: hostileValue,
    extra: fc.constantFrom('__proto__', 'constructor', 'email', 'query'),
  },
  { requiredKeys: [] },
);

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  let app: ReturnType<typeof passportApp>;
  beforeAll(() => {
    app = passportApp(express);
  });

  it.each(CASES)(
    '%s: the same status, code, field and Retry-After',
    async (_name, body, headers) => {
      const [direct, viaStrategy] = [
        await viaProtocol(body, headers),
        await viaPassport(app, body, headers),
      ];
      expect(viaStrategy).toEqual(direct);
    },
  );

  it('generated hostile fields: the same answers, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (fields) => {
        const { extra, ...rest } = fields as Record<string, unknown>;
        const body = json({ ...rest, ...(extra === undefined ? {} : { [String(extra)]: 'x' }) });
        const direct = await viaProtocol(body, JSON_TYPE);
        const viaStrategy = await viaPassport(app, body, JSON_TYPE);
        expect(viaStrategy).toEqual(direct);
        expect(viaStrategy.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
  });
});
