import { randomBytes, randomUUID } from 'node:crypto';
import { AccountBook, checkLifetime, DEFAULT_ACCOUNT, type StoredAccount } from './accounts.js';
import { type KitRequest, type Routed, startKit } from './fake-http.js';
import {
  countCalls,
  jwtMinter,
  LoginDelays,
  newTokenFamilies,
  serverOptions,
  upstreamFake,
} from './fake-parts.js';
import { type Answer, DRF_HEADERS, json, NOT_FOUND_HTML, parseBody } from './http.js';
import { JWTSigner } from './jwt.js';
import type {
  FakeTimbr,
  FakeTimbrOptions,
  TimbrEndpoint,
  TimbrTeamToken,
} from './upstream-types.js';

/** simplejwt's defaults: `ACCESS_TOKEN_LIFETIME` 5 minutes, `REFRESH_TOKEN_LIFETIME` 1 day, no rotation. */
const TOKEN_DEFAULTS = { rotation: 'none', accessSeconds: 300, refreshSeconds: 86_400 } as const;
const DEFAULT_TEAM_TOKEN_SECONDS = 90 * 86_400;

const ENDPOINTS: readonly TimbrEndpoint[] = [
  'login',
  'refresh',
  'verify',
  'listTeamTokens',
  'issueTeamToken',
  'deleteTeamTokens',
];

/** simplejwt's `TokenViewBase.get_authenticate_header` and DRF's for JWTAuthentication. */
const AUTHENTICATE = { 'www-authenticate': 'Bearer realm="api"' };

const NO_ACTIVE_ACCOUNT = json(
  401,
  { detail: 'No active account found with the given credentials' },
  AUTHENTICATE,
);
const tokenNotValid = (detail: string): Answer =>
  json(401, { detail, code: 'token_not_valid' }, AUTHENTICATE);
const INVALID_OR_EXPIRED = tokenNotValid('Token is invalid or expired');
const BLACKLISTED = tokenNotValid('Token is blacklisted');
const WRONG_TYPE = tokenNotValid('Token has wrong type');
const NOT_AUTHENTICATED = json(
  401,
  { detail: 'Authentication credentials were not provided.' },
  AUTHENTICATE,
);
const NOT_FOUND = json(404, { detail: 'Not found.' });
const FORBIDDEN = json(403, { detail: 'You do not have permission to perform this action.' });

interface TeamTokenRecord {
  readonly accessToken: string;
  readonly issuer: StoredAccount;
  readonly createdAt: number;
  readonly expiresAt: number;
}

interface Team {
  readonly uuid: string;
  /** Usernames; `undefined`: every account is a member. */
  readonly members: ReadonlySet<string> | undefined;
  readonly tokens: TeamTokenRecord[];
}

/** DRF's `DateTimeField` output in UTC: microseconds and a `Z`. */
function drfTimestamp(milliseconds: number): string {
  return `${new Date(milliseconds).toISOString().slice(0, 23)}000Z`;
}

/**
 * DRF's parsing of the request body, then its checks of required `CharField`s (`trim` as
 * `CharField(trim_whitespace=True)`): the fields' values, or the 400 (or 415) answer.
 */
async function charFields(
  input: KitRequest,
  fields: readonly { name: string; trim: boolean }[],
): Promise<Answer | Record<string, string>> {
  const parsed = await parseBody(input.request.headers['content-type'], input.body);
  if (!parsed.ok) return parsed.answer;
  const { data } = parsed;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return json(400, {
      non_field_errors: [
        `Invalid data. Expected a dictionary, but got ${Array.isArray(data) ? 'list' : typeof data}.`,
      ],
    });
  }
  const body = data as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const values: Record<string, string> = {};
  for (const { name, trim } of fields) {
    const value = body[name];
    if (value === undefined || value === null) errors[name] = ['This field is required.'];
    else if (typeof value !== 'string' && typeof value !== 'number') {
      errors[name] = ['Not a valid string.'];
    } else {
      const text = trim ? String(value).trim() : String(value);
      if (text === '') errors[name] = ['This field may not be blank.'];
      else values[name] = text;
    }
  }
  return Object.keys(errors).length > 0 ? json(400, errors) : values;
}

function isAnswer(value: Answer | Record<string, string>): value is Answer {
  return typeof (value as Answer).status === 'number';
}

/**
 * Start a fake Timbr (seed 002: djoser + djangorestframework-simplejwt): JWT create / refresh /
 * verify and per-team API tokens, with accounts, token lifetimes on the `now` clock, refresh-token
 * rotation with RFC 9700 reuse detection, counters and fault injection.
 *
 * @example
 * const timbr = await startFakeTimbr({ rotation: 'rotate-detect-reuse' });
 * const response = await fetch(`${timbr.url}/api/auth/jwt/`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ username: 'dev', password: 'dev-password' }),
 * });
 * const { access, refresh } = await response.json();
 * await timbr.close();
 *
 * @see https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html (the API is djoser + simplejwt)
 */
export async function startFakeTimbr(options: FakeTimbrOptions = {}): Promise<FakeTimbr> {
  const server = serverOptions(options);
  const { now } = server;
  const jwtCreateShape = options.jwtCreateShape ?? 'pair';
  const refreshShape = options.refreshShape ?? 'access';
  const verifyShape = options.verifyShape ?? 'echo';
  const successStatus = options.jwtSuccessStatus ?? 201;
  const loginWith = options.loginWith ?? 'username';
  if (jwtCreateShape !== 'pair' && jwtCreateShape !== 'echo') {
    throw new TypeError(`jwtCreateShape must be 'pair' or 'echo'`);
  }
  if (refreshShape !== 'access' && refreshShape !== 'access-and-refresh') {
    throw new TypeError(`refreshShape must be 'access' or 'access-and-refresh'`);
  }
  if (verifyShape !== 'echo' && verifyShape !== 'empty') {
    throw new TypeError(`verifyShape must be 'echo' or 'empty'`);
  }
  if (successStatus !== 200 && successStatus !== 201) {
    throw new TypeError('jwtSuccessStatus must be 200 or 201');
  }
  if (loginWith !== 'username' && loginWith !== 'email' && loginWith !== 'either') {
    throw new TypeError(`loginWith must be 'username', 'email' or 'either'`);
  }
  const teamTokenSeconds = checkLifetime(
    'teamTokenLifetimeSeconds',
    options.teamTokenLifetimeSeconds ?? DEFAULT_TEAM_TOKEN_SECONDS,
  );
  const delays = new LoginDelays(options.perBranchDelay);

  const accounts = new AccountBook(options.accounts ?? [DEFAULT_ACCOUNT]);
  const signer = new JWTSigner();
  const families = newTokenFamilies(
    now,
    jwtMinter(signer),
    options,
    TOKEN_DEFAULTS,
    (accountId) => accounts.byId(accountId)?.username,
  );
  const isActive = (accountId: number): boolean => accounts.byId(accountId)?.active === true;

  const teams = new Map<string, Team>();
  const addTeam = (uuid: string = randomUUID(), members?: readonly string[]): string => {
    if (typeof uuid !== 'string' || !/^[^/\s?#]+$/.test(uuid)) {
      throw new TypeError('team uuid must be a non-empty string without "/" or spaces');
    }
    if (teams.has(uuid)) throw new TypeError(`Team "${uuid}" already exists`);
    teams.set(uuid, {
      uuid,
      members: members === undefined ? undefined : new Set(members),
      tokens: [],
    });
    return uuid;
  };
  for (const team of options.teams ?? []) addTeam(team.uuid, team.members);

  // --- endpoints --------------------------------------------------------------------------------

  const login = async (input: KitRequest): Promise<Answer> => {
    const fields = await charFields(input, [
      { name: 'username', trim: true },
      // simplejwt's PasswordField keeps whitespace.
      { name: 'password', trim: false },
    ]);
    if (isAnswer(fields)) return fields;
    const checked = accounts.check(fields.username!, fields.password!, loginWith);
    if (!checked.ok) {
      await kit.sleep(delays.of(checked.reason));
      // Django's ModelBackend refuses an inactive user exactly as a wrong password.
      return NO_ACTIVE_ACCOUNT;
    }
    const issued = families.login(checked.account.id);
    if (jwtCreateShape === 'echo') {
      // Seed 002's example answer: the request body itself. The tokens were issued all the same.
      return json(successStatus, { username: fields.username, password: fields.password });
    }
    return json(successStatus, { refresh: issued.refresh.token, access: issued.access.token });
  };

  const refresh = async (input: KitRequest): Promise<Answer> => {
    const fields = await charFields(input, [{ name: 'refresh', trim: true }]);
    if (isAnswer(fields)) return fields;
    const token = fields.refresh!;
    const claims = signer.verify(token, Math.floor(now() / 1000));
    const result = families.refresh(token, isActive);
    if (result.ok) {
      if (result.outcome !== 'refreshed' || refreshShape === 'access-and-refresh') {
        return json(successStatus, { access: result.access.token, refresh: result.refresh.token });
      }
      return json(successStatus, { access: result.access.token });
    }
    switch (result.outcome) {
      case 'inactive':
        return json(
          401,
          { detail: 'No active account found for the given token.', code: 'no_active_account' },
          AUTHENTICATE,
        );
      case 'rotated-away':
      case 'reuse-detected':
      case 'revoked':
        return BLACKLISTED;
      default:
        return typeof claims !== 'string' && claims.token_type !== 'refresh'
          ? WRONG_TYPE
          : INVALID_OR_EXPIRED;
    }
  };

  const verify = async (input: KitRequest): Promise<Answer> => {
    const fields = await charFields(input, [{ name: 'token', trim: true }]);
    if (isAnswer(fields)) return fields;
    const token = fields.token!;
    const claims = signer.verify(token, Math.floor(now() / 1000));
    if (typeof claims === 'string') return INVALID_OR_EXPIRED;
    // simplejwt's UntypedToken: either type verifies; a rotated-away refresh token is blacklisted.
    const state =
      claims.token_type === 'access' ? families.checkAccess(token) : families.checkRefresh(token);
    if (!state.ok) {
      return claims.token_type === 'refresh' && state.reason === 'revoked'
        ? BLACKLISTED
        : INVALID_OR_EXPIRED;
    }
    return json(successStatus, verifyShape === 'echo' ? { token } : {});
  };

  /** simplejwt's `JWTAuthentication`: an access JWT as `Authorization: Bearer`. */
  const authenticate = (
    input: KitRequest,
  ): { ok: true; account: StoredAccount } | { ok: false; answer: Answer } => {
    const header = input.request.headers.authorization;
    if (header === undefined) return { ok: false, answer: NOT_AUTHENTICATED };
    const parts = header.trim().split(/\s+/);
    if (parts[0] !== 'Bearer') return { ok: false, answer: NOT_AUTHENTICATED };
    if (parts.length !== 2) {
      return {
        ok: false,
        answer: json(
          401,
          {
            detail: 'Authorization header must contain two space-delimited values',
            code: 'bad_authorization_header',
          },
          AUTHENTICATE,
        ),
      };
    }
    const token = parts[1]!;
    const claims = signer.verify(token, Math.floor(now() / 1000));
    const state = families.checkAccess(token);
    if (typeof claims === 'string' || claims.token_type !== 'access' || !state.ok) {
      return {
        ok: false,
        answer: json(
          401,
          {
            detail: 'Given token not valid for any token type',
            code: 'token_not_valid',
            messages: [
              {
                token_class: 'AccessToken',
                token_type: 'access',
                message: 'Token is invalid or expired',
              },
            ],
          },
          AUTHENTICATE,
        ),
      };
    }
    const account = accounts.byId(state.accountId);
    if (account === undefined || !account.active) {
      return {
        ok: false,
        answer: json(401, { detail: 'User is inactive', code: 'user_inactive' }, AUTHENTICATE),
      };
    }
    return { ok: true, account };
  };

  const tokenBody = (record: TeamTokenRecord): Record<string, string> => ({
    access_token: record.accessToken,
    token_issuer_uuid: record.issuer.uuid,
    created_at: drfTimestamp(record.createdAt),
    updated_at: drfTimestamp(record.createdAt),
    expires_at: drfTimestamp(record.expiresAt),
  });

  const teamTokens = async (
    endpoint: 'listTeamTokens' | 'issueTeamToken' | 'deleteTeamTokens',
    teamUUID: string,
    input: KitRequest,
  ): Promise<Answer> => {
    // DRF authenticates before it checks the method or the object.
    const authenticated = authenticate(input);
    if (!authenticated.ok) return authenticated.answer;
    const method = input.request.method ?? 'GET';
    const allowed = endpoint === 'listTeamTokens' ? ['GET', 'HEAD'] : ['POST'];
    if (!allowed.includes(method)) {
      return json(
        405,
        { detail: `Method "${method}" not allowed.` },
        { allow: endpoint === 'deleteTeamTokens' ? 'POST, OPTIONS' : 'GET, POST, HEAD, OPTIONS' },
      );
    }
    const team = teams.get(teamUUID);
    if (team === undefined) return NOT_FOUND;
    const { account } = authenticated;
    if (team.members !== undefined && !team.members.has(account.username)) return FORBIDDEN;
    const mine = team.tokens.filter((record) => record.issuer === account);
    if (endpoint === 'listTeamTokens') return json(200, { tokens: mine.map(tokenBody) });
    if (endpoint === 'issueTeamToken') {
      const at = now();
      const record: TeamTokenRecord = {
        accessToken: randomBytes(32).toString('hex'),
        issuer: account,
        createdAt: at,
        expiresAt: at + teamTokenSeconds * 1000,
      };
      team.tokens.push(record);
      return json(201, tokenBody(record));
    }
    const parsed = await parseBody(input.request.headers['content-type'], input.body);
    if (!parsed.ok) return parsed.answer;
    const data = parsed.data as Record<string, unknown> | null;
    const listed = typeof data === 'object' && data !== null ? data.access_tokens : undefined;
    let targets: TeamTokenRecord[];
    let requested: number;
    if (listed === undefined) {
      // No list given: every token of the caller in this team.
      targets = mine;
      requested = mine.length;
    } else if (Array.isArray(listed) && listed.every((item) => typeof item === 'string')) {
      targets = mine.filter((record) => listed.includes(record.accessToken));
      requested = listed.length;
    } else {
      return json(400, { access_tokens: ['Expected a list of strings.'] });
    }
    for (const record of targets) team.tokens.splice(team.tokens.indexOf(record), 1);
    return json(200, { requested_count: requested, deleted_count: targets.length });
  };

  const jwtRoute = (
    endpoint: 'login' | 'refresh' | 'verify',
    work: (input: KitRequest) => Promise<Answer>,
    input: KitRequest,
  ): Routed<TimbrEndpoint> => ({
    endpoint,
    handle: () => {
      const method = input.request.method ?? 'GET';
      if (method === 'OPTIONS') return json(200, drfMetadata(endpoint), { allow: 'POST, OPTIONS' });
      if (method !== 'POST') {
        return json(405, { detail: `Method "${method}" not allowed.` }, { allow: 'POST, OPTIONS' });
      }
      return work(input);
    },
  });

  const route = (input: KitRequest): Routed<TimbrEndpoint> | undefined => {
    const path = input.url.pathname;
    switch (path) {
      case '/api/auth/jwt/':
        return jwtRoute('login', login, input);
      case '/api/auth/jwt/refresh/':
        return jwtRoute('refresh', refresh, input);
      case '/api/auth/jwt/verify/':
        return jwtRoute('verify', verify, input);
      default:
        break;
    }
    const match = /^\/api\/openapi\/token\/([^/]+)\/(delete\/)?$/.exec(path);
    if (match === null) return undefined;
    let teamUUID: string;
    try {
      teamUUID = decodeURIComponent(match[1]!);
    } catch {
      return undefined;
    }
    const endpoint: TimbrEndpoint =
      match[2] !== undefined
        ? 'deleteTeamTokens'
        : input.request.method === 'POST'
          ? 'issueTeamToken'
          : 'listTeamTokens';
    return { endpoint, handle: () => teamTokens(endpoint, teamUUID, input) };
  };

  const kit = await startKit<TimbrEndpoint>({
    ...server,
    endpoints: ENDPOINTS,
    route,
    notFound: (input) => {
      const path = input.url.pathname;
      // Django's APPEND_SLASH: a known path without its trailing slash is redirected.
      if (!path.endsWith('/') && route({ ...input, url: new URL(`${path}/`, input.url) })) {
        return { status: 301, headers: { location: `${path}/${input.url.search}` } };
      }
      return { status: 404, raw: NOT_FOUND_HTML, contentType: 'text/html; charset=utf-8' };
    },
    onRouted: countCalls(families),
    statusBody: (_status, reason) => ({ detail: reason }),
    malformedJSON: '{"refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoi',
    baseHeaders: DRF_HEADERS,
    tooLarge: json(413, { detail: 'Request body too large.' }),
  });

  return upstreamFake<TimbrEndpoint, FakeTimbr>(
    'FakeTimbr',
    {
      addTeam,
      teamTokens(teamUUID) {
        const team = teams.get(teamUUID);
        if (team === undefined) throw new TypeError(`No team "${teamUUID}"`);
        return team.tokens.map(
          (record): TimbrTeamToken => ({
            accessToken: record.accessToken,
            teamUUID,
            issuerUUID: record.issuer.uuid,
            createdAt: new Date(record.createdAt),
            updatedAt: new Date(record.createdAt),
            expiresAt: new Date(record.expiresAt),
          }),
        );
      },
      accountUUID: (username) => accounts.require(username).uuid,
    },
    { kit, families, delays, accounts },
  );
}

/** DRF's `SimpleMetadata` answer to OPTIONS. */
function drfMetadata(endpoint: string): Record<string, unknown> {
  return {
    name:
      endpoint === 'login'
        ? 'Token Obtain Pair'
        : `Token ${endpoint[0]!.toUpperCase()}${endpoint.slice(1)}`,
    description: '',
    renders: ['application/json'],
    parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
  };
}
