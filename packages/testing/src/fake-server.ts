import type { IncomingMessage } from 'node:http';
import type { LoginFailure } from './accounts.js';
import { type KitRequest, type Routed, startKit } from './fake-http.js';
import {
  countCalls,
  hex,
  jwtMinter,
  LoginDelays,
  newTokenFamilies,
  serverOptions,
  withControls,
} from './fake-parts.js';
import {
  type Answer,
  DRF_HEADERS,
  json,
  NOT_FOUND_HTML,
  parseBody,
  parseCookies,
  setCookie,
} from './http.js';
import { JWTSigner } from './jwt.js';
import { MemoryOutbox } from './outbox.js';
import { generateOTP, smsSegments, validateSendOTP } from './send-otp.js';
import type { MintedToken } from './token-families.js';
import type { Delivery, FakeEndpoint, FakeTingTing, FakeTingTingOptions } from './types.js';
import type { FakeAccountInput } from './upstream-types.js';

/**
 * Access cookie lifetime: seed 000 says the JWT access token "expires in 1 day". Refresh cookie
 * lifetime: not in the seed; 7 days, longer than the access cookie. No rotation (UPSTREAM.md §8).
 */
const TOKEN_DEFAULTS = {
  rotation: 'none',
  accessSeconds: 86_400,
  refreshSeconds: 7 * 86_400,
} as const;
const MAX_PAGE_SIZE = 100;

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

const ENDPOINTS: readonly FakeEndpoint[] = [...ROUTES.values()].map((route) => route.endpoint);

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
  readonly username: string;
  readonly email: string;
  readonly password: string;
  active: boolean;
  credits: { sms: number; phone: number };
  /** Every token ever issued; the soft-deleted ones keep `deletedAt`. */
  readonly tokens: APIToken[];
  /** Newest last. */
  readonly sent: SentOTP[];
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
  const server = serverOptions(options);
  const { now, log } = server;
  const pageSize = options.pageSize ?? 10;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new TypeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const email = options.account?.email ?? 'dev@example.com';
  const password = options.account?.password ?? 'dev-password';
  if (options.apiToken !== undefined && (options.apiToken === '' || /\s/.test(options.apiToken))) {
    throw new TypeError('apiToken must be a non-empty string without spaces');
  }

  const inactiveLogin = options.inactiveLogin ?? 'not-activated';
  if (inactiveLogin !== 'not-activated' && inactiveLogin !== 'generic') {
    throw new TypeError(`inactiveLogin must be 'not-activated' or 'generic'`);
  }
  const delays = new LoginDelays(options.perBranchDelay);

  const signer = new JWTSigner();
  const outbox = new MemoryOutbox();
  let nextSentId = 1;

  const accounts: Account[] = [];
  const newAccount = (input: FakeAccountInput, apiToken?: string): Account => {
    if (typeof input.password !== 'string' || input.password === '') {
      throw new TypeError('account.password must be a non-empty string');
    }
    const accountEmail = input.email ?? `${input.username}@example.com`;
    if (findByEmail(accountEmail) !== undefined) {
      throw new TypeError(`An account with email "${accountEmail}" already exists`);
    }
    const created: Account = {
      id: accounts.length + 1,
      username: input.username,
      email: accountEmail,
      password: input.password,
      active: input.active ?? true,
      credits: { sms: 100, phone: 100 },
      tokens: [
        {
          value: apiToken ?? hex(32),
          createdAt: now(),
          lastUsed: undefined,
          deletedAt: undefined,
        },
      ],
      sent: [],
    };
    accounts.push(created);
    return created;
  };
  const findByEmail = (wanted: string): Account | undefined => {
    const normalized = wanted.trim().toLowerCase();
    return accounts.find((candidate) => candidate.email.toLowerCase() === normalized);
  };
  const requireAccount = (identifier: string): Account => {
    const found =
      findByEmail(identifier) ?? accounts.find((candidate) => candidate.username === identifier);
    if (found === undefined) throw new TypeError(`No account "${identifier}"`);
    return found;
  };

  const account = newAccount({ username: 'dev', email, password }, options.apiToken);
  account.credits.sms = options.credits?.sms ?? 100;
  account.credits.phone = options.credits?.phone ?? 100;
  for (const extra of options.accounts ?? []) newAccount(extra);

  const families = newTokenFamilies(
    now,
    jwtMinter(signer),
    options,
    TOKEN_DEFAULTS,
    (accountId) => accounts.find((candidate) => candidate.id === accountId)?.email,
  );
  const isActive = (accountId: number): boolean =>
    accounts.find((candidate) => candidate.id === accountId)?.active === true;

  const currentToken = (owner: Account): APIToken | undefined =>
    owner.tokens.find((token) => token.deletedAt === undefined);

  const cookie = (name: 'access' | 'refresh', minted: MintedToken): string =>
    setCookie(
      name,
      minted.token,
      name === 'access' ? families.lifetimes.accessSeconds : families.lifetimes.refreshSeconds,
      now(),
    );

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
      !families.checkAccess(token).ok
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

  const login = async (data: unknown): Promise<Answer> => {
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
    const owner = findByEmail(String(body.email));
    const failure: LoginFailure | undefined =
      owner === undefined
        ? 'unknownUser'
        : owner.password !== body.password
          ? 'wrongPassword'
          : owner.active
            ? undefined
            : 'inactive';
    if (owner === undefined || failure !== undefined) {
      await kit.sleep(delays.of(failure!));
      if (failure === 'inactive' && inactiveLogin === 'not-activated') {
        return json(401, { detail: 'Account is not activated.' });
      }
      return json(401, { detail: 'No active account found with the given credentials' });
    }
    const issued = families.login(owner.id);
    return json(
      200,
      { has_logged_in: true, message: 'Login Successful' },
      { 'set-cookie': [cookie('access', issued.access), cookie('refresh', issued.refresh)] },
    );
  };

  const refresh = (request: IncomingMessage): Answer => {
    const token = parseCookies(request.headers.cookie).get('refresh');
    if (token === undefined || token === '')
      return json(400, { message: 'No refresh token provided' });
    const claims = signer.verify(token, Math.floor(now() / 1000));
    const result = families.refresh(token, isActive);
    if (claims === 'malformed') return json(400, { detail: 'Invalid token payload.' });
    if (typeof claims !== 'string' && claims.token_type !== 'refresh') {
      return json(400, { detail: 'Invalid token payload.' });
    }
    if (!result.ok) {
      if (result.outcome === 'inactive') return json(401, { detail: 'Account is not activated.' });
      return json(401, { message: 'Failed To Refresh The Session' });
    }
    // A rotation (or a grace replay of the successor) also sets the refresh cookie; otherwise only
    // the access cookie changes and the browser keeps its refresh cookie.
    const cookies =
      result.outcome === 'refreshed'
        ? cookie('access', result.access)
        : [cookie('access', result.access), cookie('refresh', result.refresh)];
    return json(200, { message: 'Session Refreshed Successfully' }, { 'set-cookie': cookies });
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
      user: { first_name: 'Dev', last_name: 'User', username: owner.username, email: owner.email },
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

  const handleRoute = async (route: Route, input: KitRequest): Promise<Answer> => {
    const { request, url, body: rawBody } = input;
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

  const kit = await startKit<FakeEndpoint>({
    ...server,
    endpoints: ENDPOINTS,
    route: (input): Routed<FakeEndpoint> | undefined => {
      const route = ROUTES.get(input.url.pathname);
      return route === undefined
        ? undefined
        : { endpoint: route.endpoint, handle: () => handleRoute(route, input) };
    },
    notFound: (input) => {
      // Django's APPEND_SLASH: a known path without its trailing slash is redirected.
      const { pathname, search } = input.url;
      return ROUTES.has(`${pathname}/`)
        ? { status: 301, headers: { location: `${pathname}/${search}` } }
        : { status: 404, raw: NOT_FOUND_HTML, contentType: 'text/html; charset=utf-8' };
    },
    onRouted: countCalls(families),
    statusBody: (_status, reason) => ({ detail: reason }),
    malformedJSON: '{"status": 200, "success": true, "message": "OTP Sent',
    oversizedPrefix: '{"status":200,"success":true,"errors":[],"data":"',
    baseHeaders: DRF_HEADERS,
    tooLarge: json(413, { detail: 'Request body too large.' }),
  });
  return withControls<FakeEndpoint, FakeTingTing>(
    'FakeTingTing',
    {
      get apiToken() {
        return currentToken(account)?.value ?? '';
      },
      account: { email, password },
      get credits() {
        return { ...account.credits };
      },
      outbox,
      setCredits(credits) {
        for (const key of ['sms', 'phone'] as const) {
          const value = credits[key];
          if (value === undefined) continue;
          if (!Number.isInteger(value) || value < 0)
            throw new TypeError(`credits.${key} must be a whole number, 0 or more`);
          account.credits[key] = value;
        }
      },
      addAccount(input) {
        const created = newAccount(input);
        return {
          email: created.email,
          password: created.password,
          apiToken: created.tokens[0]!.value,
        };
      },
      revokeAll(identifier) {
        families.revokeAccount(requireAccount(identifier).id);
      },
      revokeAPIToken() {
        const at = now();
        for (const token of account.tokens) if (token.deletedAt === undefined) token.deletedAt = at;
      },
      setAccountActive(...args: [boolean] | [string, boolean]) {
        if (args.length === 1) account.active = args[0];
        else requireAccount(args[0]).active = args[1];
      },
    },
    { kit, families, delays },
  );
}
