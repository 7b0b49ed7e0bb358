import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  type Answer,
  BodyTooLargeError,
  json,
  NOT_FOUND_HTML,
  PROXY_ERROR_HTML,
  parseBody,
  parseCookies,
  readBody,
  setCookie,
  writeAnswer,
} from './http.js';
import { JWTSigner } from './jwt.js';
import { MemoryOutbox } from './outbox.js';
import { generateOTP, smsSegments, validateSendOTP } from './send-otp.js';
import type {
  Delivery,
  FakeEndpoint,
  FakeRequest,
  FakeTingTing,
  FakeTingTingOptions,
  Fault,
  FaultKind,
  RedirectedRequest,
} from './types.js';

/** Access cookie lifetime: seed 000 says the JWT access token "expires in 1 day". */
const ACCESS_LIFETIME_IN_SECONDS = 86_400;
/** Refresh cookie lifetime: not in the seed; 7 days, longer than the access cookie. */
const REFRESH_LIFETIME_IN_SECONDS = 7 * 86_400;
const MAX_REQUEST_BODY_IN_BYTES = 1024 * 1024;
const MAX_PAGE_SIZE = 100;
const MAX_LOGGED_REQUESTS = 10_000;
const DEFAULT_OVERSIZED_BYTES = 10 * 1024 * 1024;

interface Route {
  readonly endpoint: FakeEndpoint;
  readonly method: 'GET' | 'POST';
  /** `jwt`: the access JWT (Bearer or cookie); `apiToken`: the API token as Bearer; `none`: open. */
  readonly auth: 'none' | 'jwt' | 'apiToken';
  readonly name: string;
}

/** Paths exactly as seeds 000 and 001 give them, trailing slashes included. */
const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/api/v1/auths/login/', { endpoint: 'login', method: 'POST', auth: 'none', name: 'Login' }],
  [
    '/api/v1/auths/login/refresh/',
    { endpoint: 'refresh', method: 'POST', auth: 'none', name: 'Refresh' },
  ],
  [
    '/api/v1/auths/generate-api-keys/',
    { endpoint: 'generateAPIToken', method: 'POST', auth: 'jwt', name: 'Generate Api Keys' },
  ],
  [
    '/api/v1/auths/get-api-keys/',
    { endpoint: 'getAPIToken', method: 'GET', auth: 'jwt', name: 'Get Api Keys' },
  ],
  [
    '/api/v1/auths/user-profile/',
    { endpoint: 'userProfile', method: 'GET', auth: 'apiToken', name: 'User Profile' },
  ],
  [
    '/api/v1/auths/send/otp/',
    { endpoint: 'sendOTP', method: 'POST', auth: 'apiToken', name: 'Send Otp' },
  ],
  [
    '/api/v1/auths/list/send-otps/',
    { endpoint: 'listSentOTPs', method: 'GET', auth: 'apiToken', name: 'List Send Otps' },
  ],
]);

const ENDPOINTS: ReadonlySet<string> = new Set([...ROUTES.values()].map((route) => route.endpoint));

interface APIToken {
  readonly value: string;
  readonly createdAt: number;
  lastUsed: number | undefined;
  deletedAt: number | undefined;
}

interface SentOTP {
  readonly id: number;
  readonly phoneNumber: string;
  readonly message: string;
  readonly otp: string;
  readonly otpOptions: 'personnel' | 'generated';
  readonly channel: 'text' | 'voice';
  readonly createdAt: number;
}

interface Account {
  readonly id: number;
  readonly email: string;
  readonly password: string;
  active: boolean;
  credits: { sms: number; phone: number };
  /** Every token ever issued; the soft-deleted ones keep `deletedAt`. */
  readonly tokens: APIToken[];
  /** Newest last. */
  readonly sent: SentOTP[];
}

interface PendingFault {
  readonly fault: Fault;
  remaining: number;
}

type Authenticated =
  | { readonly ok: true; readonly account: Account }
  | { readonly ok: false; readonly answer: Answer };

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="api"' };
const NOT_AUTHENTICATED = json(
  401,
  { detail: 'Authentication credentials were not provided.' },
  UNAUTHORIZED_HEADERS,
);
const INVALID_TOKEN = json(401, { detail: 'Invalid token.' }, UNAUTHORIZED_HEADERS);

/** Nepal's offset: the seed's `created_at` is `2025-10-29T13:33:55.512191+05:45`. */
function nepalTimestamp(milliseconds: number): string {
  const shifted = new Date(milliseconds + (5 * 60 + 45) * 60_000).toISOString();
  return `${shifted.slice(0, 23)}000+05:45`;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function validateFault(endpoint: FakeEndpoint, fault: Fault): void {
  if (!ENDPOINTS.has(endpoint)) {
    throw new TypeError(
      `Unknown endpoint "${String(endpoint)}"; expected one of ${[...ENDPOINTS].join(', ')}`,
    );
  }
  const times = fault.times ?? 1;
  if (!(times >= 1)) throw new TypeError('fault.times must be at least 1 (or Infinity)');
  if (
    fault.status !== undefined &&
    !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)
  ) {
    throw new TypeError('fault.status must be an HTTP status between 100 and 599');
  }
  if (fault.delayInMilliseconds !== undefined && !(fault.delayInMilliseconds >= 0)) {
    throw new TypeError('fault.delayInMilliseconds must be 0 or more');
  }
}

/**
 * Start a fake TingTing server: every endpoint of the TingTing account and OTP APIs (seeds 000 and
 * 001) with the same paths, methods, status codes and bodies, backed by in-memory state, an outbox
 * of delivered codes and fault injection.
 *
 * @example
 * const fake = await startFakeTingTing();
 * // point the client at fake.url with fake.apiToken, send an OTP, then:
 * const delivery = await fake.outbox.waitFor('9812345678');
 * await fake.close();
 */
export async function startFakeTingTing(options: FakeTingTingOptions = {}): Promise<FakeTingTing> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const log = options.logger ?? (() => {});
  const pageSize = options.pageSize ?? 10;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new TypeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const email = options.account?.email ?? 'dev@example.com';
  const password = options.account?.password ?? 'dev-password';
  if (options.apiToken !== undefined && (options.apiToken === '' || /\s/.test(options.apiToken))) {
    throw new TypeError('apiToken must be a non-empty string without spaces');
  }

  const signer = new JWTSigner();
  const outbox = new MemoryOutbox();
  const requests: FakeRequest[] = [];
  const redirectedRequests: RedirectedRequest[] = [];
  const faults = new Map<FakeEndpoint, PendingFault[]>();
  /** Access JWTs that still work (by `jti`): `expireAccessTokens` empties it. */
  const liveAccessTokens = new Set<string>();
  const pendingDelays = new Set<() => void>();
  let nextSentId = 1;
  let closed = false;

  const account: Account = {
    id: 1,
    email,
    password,
    active: true,
    credits: { sms: options.credits?.sms ?? 100, phone: options.credits?.phone ?? 100 },
    tokens: [
      {
        value: options.apiToken ?? hex(32),
        createdAt: now(),
        lastUsed: undefined,
        deletedAt: undefined,
      },
    ],
    sent: [],
  };
  const accounts = [account];

  const currentToken = (owner: Account): APIToken | undefined =>
    owner.tokens.find((token) => token.deletedAt === undefined);

  const issueAccess = (owner: Account): string => {
    const issuedAt = Math.floor(now() / 1000);
    const token = signer.sign({
      token_type: 'access',
      user_id: owner.id,
      iat: issuedAt,
      exp: issuedAt + ACCESS_LIFETIME_IN_SECONDS,
    });
    const claims = signer.verify(token, issuedAt);
    if (typeof claims !== 'string') liveAccessTokens.add(claims.jti);
    return setCookie('access', token, ACCESS_LIFETIME_IN_SECONDS, now());
  };

  const issueRefresh = (owner: Account): string => {
    const issuedAt = Math.floor(now() / 1000);
    const token = signer.sign({
      token_type: 'refresh',
      user_id: owner.id,
      iat: issuedAt,
      exp: issuedAt + REFRESH_LIFETIME_IN_SECONDS,
    });
    return setCookie('refresh', token, REFRESH_LIFETIME_IN_SECONDS, now());
  };

  // --- authentication -------------------------------------------------------------------------

  /** The Bearer credential, DRF-style: another scheme counts as no credentials. */
  const bearer = (request: IncomingMessage): { token?: string; answer?: Answer } => {
    const parts = (request.headers.authorization ?? '').trim().split(/\s+/);
    if (parts[0]?.toLowerCase() !== 'bearer') return {};
    if (parts.length === 1) {
      return {
        answer: json(
          401,
          { detail: 'Invalid token header. No credentials provided.' },
          UNAUTHORIZED_HEADERS,
        ),
      };
    }
    if (parts.length > 2) {
      return {
        answer: json(
          401,
          { detail: 'Invalid token header. Token string should not contain spaces.' },
          UNAUTHORIZED_HEADERS,
        ),
      };
    }
    return { token: parts[1]! };
  };

  /** Seed 000: generate/get API token take the access JWT as a Bearer token; the cookie works too. */
  const authenticateJWT = (request: IncomingMessage): Authenticated => {
    const { token: fromHeader, answer } = bearer(request);
    if (answer !== undefined) return { ok: false, answer };
    const token = fromHeader ?? parseCookies(request.headers.cookie).get('access');
    if (token === undefined || token === '') return { ok: false, answer: NOT_AUTHENTICATED };
    const claims = signer.verify(token, Math.floor(now() / 1000));
    if (
      typeof claims === 'string' ||
      claims.token_type !== 'access' ||
      !liveAccessTokens.has(claims.jti)
    ) {
      return { ok: false, answer: INVALID_TOKEN };
    }
    const owner = accounts.find((candidate) => candidate.id === claims.user_id);
    if (owner === undefined) return { ok: false, answer: INVALID_TOKEN };
    if (!owner.active)
      return { ok: false, answer: json(401, { detail: 'Account is not activated.' }) };
    return { ok: true, account: owner };
  };

  /** Seed 000: every other endpoint takes the API token as a Bearer token (cookies do not count). */
  const authenticateAPIToken = (request: IncomingMessage): Authenticated => {
    const { token, answer } = bearer(request);
    if (answer !== undefined) return { ok: false, answer };
    if (token === undefined) return { ok: false, answer: NOT_AUTHENTICATED };
    for (const owner of accounts) {
      const current = currentToken(owner);
      if (current !== undefined && current.value === token) {
        if (!owner.active)
          return { ok: false, answer: json(401, { detail: 'Account is not activated.' }) };
        current.lastUsed = now();
        return { ok: true, account: owner };
      }
    }
    return { ok: false, answer: INVALID_TOKEN };
  };

  // --- endpoints --------------------------------------------------------------------------------

  const login = (data: unknown): Answer => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return json(400, {
        non_field_errors: [
          `Invalid data. Expected a dictionary, but got ${Array.isArray(data) ? 'list' : typeof data}.`,
        ],
      });
    }
    const body = data as Record<string, unknown>;
    const fieldErrors: Record<string, string[]> = {};
    for (const field of ['email', 'password'] as const) {
      const value = body[field];
      if (value === undefined || value === null) fieldErrors[field] = ['This field is required.'];
      else if (typeof value !== 'string') fieldErrors[field] = ['Not a valid string.'];
      else if (value.trim() === '') fieldErrors[field] = ['This field may not be blank.'];
    }
    if (Object.keys(fieldErrors).length > 0) return json(400, fieldErrors);
    const owner = accounts.find(
      (candidate) => candidate.email.toLowerCase() === String(body.email).trim().toLowerCase(),
    );
    if (owner === undefined || owner.password !== body.password || !owner.active) {
      return json(401, { detail: 'No active account found with the given credentials' });
    }
    return json(
      200,
      { has_logged_in: true, message: 'Login Successful' },
      { 'set-cookie': [issueAccess(owner), issueRefresh(owner)] },
    );
  };

  const refresh = (request: IncomingMessage): Answer => {
    const token = parseCookies(request.headers.cookie).get('refresh');
    if (token === undefined || token === '')
      return json(400, { message: 'No refresh token provided' });
    const claims = signer.verify(token, Math.floor(now() / 1000));
    if (claims === 'malformed') return json(400, { detail: 'Invalid token payload.' });
    if (claims === 'invalid') return json(401, { message: 'Failed To Refresh The Session' });
    if (claims.token_type !== 'refresh') return json(400, { detail: 'Invalid token payload.' });
    const owner = accounts.find((candidate) => candidate.id === claims.user_id);
    if (owner === undefined) return json(401, { message: 'Failed To Refresh The Session' });
    if (!owner.active) return json(401, { detail: 'Account is not activated.' });
    return json(
      200,
      { message: 'Session Refreshed Successfully' },
      { 'set-cookie': issueAccess(owner) },
    );
  };

  const generateAPIToken = (owner: Account): Answer => {
    const at = now();
    // Seed 000: "Each call soft-deletes your previous token": the old one stops working at once.
    for (const token of owner.tokens) if (token.deletedAt === undefined) token.deletedAt = at;
    const token: APIToken = {
      value: hex(32),
      createdAt: at,
      lastUsed: undefined,
      deletedAt: undefined,
    };
    owner.tokens.push(token);
    return json(200, { token: token.value, message: 'New API token generated successfully' });
  };

  const getAPIToken = (owner: Account): Answer => {
    const token = currentToken(owner);
    if (token === undefined)
      return json(200, { message: 'No API token found. Please generate one first.' });
    return json(200, {
      token: token.value,
      // Never used yet: null (the seed only shows a used token).
      last_used: token.lastUsed === undefined ? null : new Date(token.lastUsed).toISOString(),
      created_at: new Date(token.createdAt).toISOString(),
    });
  };

  const userProfile = (owner: Account): Answer =>
    json(200, {
      id: owner.id,
      user: { first_name: 'Dev', last_name: 'User', username: 'dev', email: owner.email },
      profile_picture: null,
      contact_no: '9800000000',
      address: 'Kathmandu',
      is_verified_contact: true,
    });

  const envelopeError = (
    status: number,
    message: string,
    errors: readonly { field: string; message: string }[],
  ): Answer => json(status, { status, success: false, message, errors, data: null });

  const sendOTP = (owner: Account, data: unknown): Answer => {
    const validated = validateSendOTP(data);
    if (Array.isArray(validated)) {
      const first = validated[0]!;
      return envelopeError(400, `${first.field}: ${first.message}`, validated);
    }
    const otp =
      validated.otpOptions === 'personnel' ? validated.otp! : generateOTP(validated.otpLength);
    const delivered = validated.message.replaceAll('{otp}', otp);
    const creditsUsed = validated.channel === 'voice' ? 1 : smsSegments(delivered);
    if (validated.channel === 'text' && owner.credits.sms < creditsUsed) {
      return envelopeError(402, 'Insufficient SMS credits.', [
        { field: 'non_field_errors', message: 'Insufficient SMS credits.' },
      ]);
    }
    if (validated.channel === 'voice' && owner.credits.phone < creditsUsed) {
      return envelopeError(402, 'Insufficient phone credits.', [
        { field: 'non_field_errors', message: 'Insufficient phone credits.' },
      ]);
    }
    if (validated.channel === 'voice') owner.credits.phone -= creditsUsed;
    else owner.credits.sms -= creditsUsed;
    const at = now();
    const id = nextSentId++;
    owner.sent.push({
      id,
      phoneNumber: validated.number,
      message: delivered,
      otp,
      otpOptions: validated.otpOptions,
      channel: validated.channel,
      createdAt: at,
    });
    const delivery: Delivery = {
      id,
      number: validated.number,
      message: delivered,
      otp,
      channel: validated.channel,
      ...(validated.voice === undefined ? {} : { voice: validated.voice }),
      otpOptions: validated.otpOptions,
      creditsUsed,
      at: new Date(at),
    };
    log(`delivered ${validated.channel} #${id} to ${validated.number}`);
    outbox.push(delivery);
    return json(200, {
      status: 200,
      success: true,
      message: 'OTP Sent Successfully.',
      errors: [],
      data: {
        details: {
          number: validated.number,
          otp_options: validated.otpOptions,
          message: validated.message,
          otp,
          sms_send_options: validated.channel,
          credits_used: creditsUsed,
          remaining_sms_credits: owner.credits.sms,
          remaining_phone_credits: owner.credits.phone,
        },
      },
    });
  };

  /** DRF page-number pagination; `next`/`previous` are absolute, like DRF's `build_absolute_uri`. */
  const listSentOTPs = (owner: Account, request: IncomingMessage, url: URL): Answer => {
    const requestedSize = url.searchParams.get('page_size');
    const size =
      requestedSize !== null && /^\d+$/.test(requestedSize) && Number(requestedSize) > 0
        ? Math.min(Number(requestedSize), MAX_PAGE_SIZE)
        : pageSize;
    const count = owner.sent.length;
    const totalPages = Math.max(1, Math.ceil(count / size));
    const requestedPage = url.searchParams.get('page') ?? '1';
    const page =
      requestedPage === 'last'
        ? totalPages
        : /^\d+$/.test(requestedPage)
          ? Number(requestedPage)
          : Number.NaN;
    if (!(page >= 1 && page <= totalPages)) return json(404, { detail: 'Invalid page.' });
    const newestFirst = [...owner.sent].reverse();
    const rows = newestFirst.slice((page - 1) * size, page * size).map((sent) => ({
      id: sent.id,
      phone_number: sent.phoneNumber,
      message: sent.message,
      otp: sent.otp,
      otp_options: sent.otpOptions,
      sms_send_options: sent.channel,
      created_at: nepalTimestamp(sent.createdAt),
    }));
    const link = (target: number): string => {
      const params = new URLSearchParams(url.search);
      if (target === 1) params.delete('page');
      else params.set('page', String(target));
      const query = params.toString();
      return `http://${request.headers.host ?? url.host}${url.pathname}${query === '' ? '' : `?${query}`}`;
    };
    return json(200, {
      count,
      total_pages: totalPages,
      next: page < totalPages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: { status: 200, success: true, errors: [], data: rows },
    });
  };

  // --- dispatch ---------------------------------------------------------------------------------

  const takeFault = (endpoint: FakeEndpoint): Fault | undefined => {
    const queue = faults.get(endpoint);
    const pending = queue?.[0];
    if (queue === undefined || pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) queue.shift();
    return pending.fault;
  };

  const sleep = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      pendingDelays.add(done);
    });

  const handleRoute = async (
    route: Route,
    request: IncomingMessage,
    url: URL,
    rawBody: Buffer,
  ): Promise<Answer> => {
    const method = request.method ?? 'GET';
    const allow = route.method === 'GET' ? 'GET, HEAD, OPTIONS' : 'POST, OPTIONS';
    // DRF authenticates and checks permissions before it looks at the method, so a wrong method
    // without credentials answers 401, and with credentials 405.
    let owner: Account | undefined;
    if (route.auth !== 'none') {
      const authenticated =
        route.auth === 'jwt' ? authenticateJWT(request) : authenticateAPIToken(request);
      if (!authenticated.ok) return authenticated.answer;
      owner = authenticated.account;
    }
    const allowed =
      method === route.method ||
      method === 'OPTIONS' ||
      (method === 'HEAD' && route.method === 'GET');
    if (!allowed) return json(405, { detail: `Method "${method}" not allowed.` }, { allow });
    if (method === 'OPTIONS') {
      return json(
        200,
        {
          name: route.name,
          description: '',
          renders: ['application/json'],
          parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
        },
        { allow },
      );
    }
    switch (route.endpoint) {
      case 'refresh':
        return refresh(request);
      case 'getAPIToken':
        return getAPIToken(owner!);
      case 'userProfile':
        return userProfile(owner!);
      case 'listSentOTPs':
        return listSentOTPs(owner!, request, url);
      default:
        break;
    }
    const parsed = await parseBody(request.headers['content-type'], rawBody);
    if (!parsed.ok) return parsed.answer;
    switch (route.endpoint) {
      case 'login':
        return login(parsed.data);
      case 'generateAPIToken':
        return generateAPIToken(owner!);
      default:
        return sendOTP(owner!, parsed.data);
    }
  };

  const faultAnswer = (fault: Fault, kind: FaultKind, url: URL): Answer => {
    const headers = fault.headers ?? {};
    switch (kind) {
      case 'html':
        return {
          status: fault.status ?? 200,
          raw: PROXY_ERROR_HTML,
          contentType: 'text/html; charset=utf-8',
          headers,
        };
      case 'malformed-json':
        return {
          status: fault.status ?? 200,
          raw: '{"status": 200, "success": true, "message": "OTP Sent',
          headers,
        };
      case 'oversized': {
        const size = fault.sizeInBytes ?? DEFAULT_OVERSIZED_BYTES;
        const prefix = '{"status":200,"success":true,"errors":[],"data":"';
        const raw = Buffer.alloc(Math.max(size, prefix.length + 2), 'x');
        raw.write(prefix, 0, 'utf8');
        raw.write('"}', raw.length - 2, 'utf8');
        return { status: fault.status ?? 200, raw, headers };
      }
      case 'redirect':
        return {
          status: fault.status ?? 302,
          body: undefined,
          headers: {
            location: fault.location ?? `${trapOrigin}${url.pathname}${url.search}`,
            ...headers,
          },
        };
      default: {
        const status = fault.status ?? 500;
        return { status, body: fault.body ?? { detail: STATUS_CODES[status] ?? 'Error' }, headers };
      }
    }
  };

  const record = (
    request: IncomingMessage,
    endpoint: FakeEndpoint | undefined,
    status: number,
    at: number,
    fault?: FaultKind | 'delay',
  ): void => {
    const path = request.url ?? '/';
    // Bounded so a long-running CLI or demo does not grow without end.
    if (requests.length >= MAX_LOGGED_REQUESTS) requests.shift();
    requests.push({
      method: request.method ?? 'GET',
      path,
      endpoint,
      status,
      ...(fault === undefined ? {} : { fault }),
      at: new Date(at),
    });
    log(
      `${request.method} ${path.split('?')[0]} ${status === 0 ? 'reset' : status}${fault ? ` (fault: ${fault})` : ''}`,
    );
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = now();
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const route = ROUTES.get(url.pathname);
    let rawBody: Buffer;
    try {
      rawBody = await readBody(request, MAX_REQUEST_BODY_IN_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        response.destroy();
        return;
      }
      const answer = json(413, { detail: 'Request body too large.' });
      writeAnswer(response, answer);
      record(request, route?.endpoint, answer.status, at);
      return;
    }
    if (route === undefined) {
      // Django's APPEND_SLASH: a known path without its trailing slash is redirected.
      const slashed = ROUTES.get(`${url.pathname}/`);
      const answer: Answer =
        slashed !== undefined
          ? { status: 301, headers: { location: `${url.pathname}/${url.search}` } }
          : { status: 404, raw: NOT_FOUND_HTML, contentType: 'text/html; charset=utf-8' };
      writeAnswer(response, answer, request.method === 'HEAD');
      record(request, undefined, answer.status, at);
      return;
    }
    const fault = takeFault(route.endpoint);
    if (fault?.delayInMilliseconds) await sleep(fault.delayInMilliseconds);
    if (closed) return;
    const kind: FaultKind | undefined =
      fault === undefined
        ? undefined
        : (fault.kind ??
          (fault.status !== undefined || !fault.delayInMilliseconds ? 'status' : undefined));
    if (fault !== undefined && kind !== undefined && kind !== 'reset') {
      // TingTing did its part, then the answer went wrong on the way back to the client.
      if (fault.afterWork === true) await handleRoute(route, request, url, rawBody);
      const answer = faultAnswer(fault, kind, url);
      writeAnswer(response, answer, request.method === 'HEAD');
      record(request, route.endpoint, answer.status, at, kind);
      return;
    }
    const answer = await handleRoute(route, request, url, rawBody);
    if (kind === 'reset') {
      // The work is done (an OTP is delivered and charged) but the client never hears of it.
      request.socket.destroy();
      record(request, route.endpoint, 0, at, 'reset');
      return;
    }
    writeAnswer(
      response,
      fault === undefined
        ? answer
        : { ...answer, headers: { ...answer.headers, ...fault.headers } },
      request.method === 'HEAD',
    );
    record(request, route.endpoint, answer.status, at, fault === undefined ? undefined : 'delay');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent && !response.destroyed) {
        writeAnswer(response, json(500, { detail: 'A server error occurred.' }));
      } else {
        response.destroy();
      }
    });
  });

  // The redirect fault's other origin: a second listener on another loopback address (another
  // port if that address is not available) that records who followed, and whether they carried
  // credentials along.
  const trap = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      redirectedRequests.push({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        hadAuthorization: request.headers.authorization !== undefined,
        hadCookie: request.headers.cookie !== undefined,
      });
      writeAnswer(
        response,
        json(200, {
          detail: 'This is another origin: the client followed a cross-origin redirect.',
        }),
      );
    });
  });

  const listen = (target: Server, port: number, address: string): Promise<AddressInfo> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      target.once('error', onError);
      target.listen(port, address, () => {
        target.off('error', onError);
        resolve(target.address() as AddressInfo);
      });
    });

  const formatOrigin = (address: AddressInfo): string =>
    `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  const main = await listen(server, options.port ?? 0, host);
  let trapAddress: AddressInfo;
  try {
    trapAddress = await listen(trap, 0, host === '127.0.0.1' ? '127.0.0.2' : host);
  } catch {
    trapAddress = await listen(trap, 0, host);
  }
  const url = formatOrigin(main);
  const trapOrigin = formatOrigin(trapAddress);

  const closeServer = (target: Server): Promise<void> =>
    new Promise((resolve) => {
      target.close(() => resolve());
      target.closeAllConnections();
    });

  const fake: FakeTingTing = {
    url,
    get apiToken() {
      return currentToken(account)?.value ?? '';
    },
    account: { email, password },
    get credits() {
      return { ...account.credits };
    },
    outbox,
    requests,
    redirectedRequests,
    inject(endpoint, fault) {
      validateFault(endpoint, fault);
      const queue = faults.get(endpoint) ?? [];
      queue.push({ fault, remaining: fault.times ?? 1 });
      faults.set(endpoint, queue);
    },
    clearFaults() {
      faults.clear();
    },
    setCredits(credits) {
      for (const key of ['sms', 'phone'] as const) {
        const value = credits[key];
        if (value === undefined) continue;
        if (!Number.isInteger(value) || value < 0)
          throw new TypeError(`credits.${key} must be a whole number, 0 or more`);
        account.credits[key] = value;
      }
    },
    expireAccessTokens() {
      liveAccessTokens.clear();
    },
    revokeAPIToken() {
      const at = now();
      for (const token of account.tokens) if (token.deletedAt === undefined) token.deletedAt = at;
    },
    setAccountActive(active) {
      account.active = active;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const release of [...pendingDelays]) release();
      await Promise.all([closeServer(server), closeServer(trap)]);
    },
  };
  // Keep the token and password out of `console.log(fake)` and test-runner diffs.
  Object.defineProperty(fake, inspect.custom, {
    value: () => `FakeTingTing { url: '${url}' }`,
    enumerable: false,
  });
  Object.defineProperty(fake, 'toJSON', { value: () => ({ url }), enumerable: false });
  return fake;
}
