import { AccountBook, DEFAULT_ACCOUNT, publicAccount } from './accounts.js';
import { type KitRequest, type Routed, startKit } from './fake-http.js';
import {
  countCalls,
  hex,
  LoginDelays,
  newTokenFamilies,
  serverOptions,
  upstreamFake,
} from './fake-parts.js';
import { type Answer, json } from './http.js';
import type { FakeAccount, FakeNotes, FakeNotesOptions, NotesEndpoint } from './upstream-types.js';

/** Seed 003: `valid_for: 7200`. The refresh lifetime is not in the seed: 7 days. */
const TOKEN_DEFAULTS = {
  rotation: 'rotate',
  accessSeconds: 7200,
  refreshSeconds: 7 * 86_400,
} as const;

const ENDPOINTS: readonly NotesEndpoint[] = ['login', 'refresh', 'signup', 'currentUser'];

const BAD_REQUEST = json(400, { error: 'Bad request' });
const DEFAULT_LOGIN_ERRORS = {
  unknownUser: 'Invalid username or password.',
  wrongPassword: 'Invalid username or password.',
  inactive: 'Account is not verified.',
} as const;

/** Seed 003: "without space, and must be alpha numeric. Some symbols are allowed." */
const USERNAME = /^[A-Za-z0-9._@+-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Form data only (seed 003 says "Form Data"): urlencoded or multipart; anything else is `undefined`. */
async function parseForm(input: KitRequest): Promise<Map<string, string> | undefined> {
  const contentType = input.request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    return new Map(new URLSearchParams(input.body.toString('utf8')));
  }
  if (mediaType === 'multipart/form-data') {
    try {
      const form = await new Response(new Uint8Array(input.body), {
        headers: { 'content-type': contentType },
      }).formData();
      const fields = new Map<string, string>();
      for (const [key, value] of form) if (typeof value === 'string') fields.set(key, value);
      return fields;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The named fields, each present and not blank, or `undefined`. */
function required(
  form: Map<string, string> | undefined,
  names: readonly string[],
): Record<string, string> | undefined {
  if (form === undefined) return undefined;
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = form.get(name);
    if (value === undefined || value.trim() === '') return undefined;
    values[name] = value;
  }
  return values;
}

/**
 * Start a fake notes service (seed 003): form-encoded login, refresh and signup, with opaque
 * `a.…` / `r.…` / `d.…` tokens, `valid_for` lifetimes on the `now` clock, refresh-token rotation
 * with RFC 9700 reuse detection, counters and fault injection. Where the seed is silent, the
 * package README lists the fake's reading.
 *
 * @example
 * const notes = await startFakeNotes();
 * const response = await fetch(`${notes.url}/auth/login`, {
 *   method: 'POST',
 *   body: new URLSearchParams({ username: 'dev', password: 'dev-password' }),
 * });
 * const { tokens } = await response.json(); // { access_token, valid_for: 7200, refresh_token, … }
 * await notes.close();
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh-token rotation and reuse)
 */
export async function startFakeNotes(options: FakeNotesOptions = {}): Promise<FakeNotes> {
  const server = serverOptions(options);
  const { now } = server;
  const signupActive = options.signupActive ?? false;
  const loginErrors = { ...DEFAULT_LOGIN_ERRORS, ...options.loginErrors };
  const delays = new LoginDelays(options.perBranchDelay);
  const accounts = new AccountBook(options.accounts ?? [DEFAULT_ACCOUNT]);
  const signups: FakeAccount[] = [];

  const families = newTokenFamilies(
    now,
    {
      access: (_accountId, at, lifetime) => ({
        token: `a.${hex(32)}`,
        expiresAt: at + lifetime * 1000,
      }),
      // Seed 003: the login hands out `r.` + 64 hex, a refresh hands out `d.` + 32 hex.
      refresh: (_accountId, at, lifetime, generation) => ({
        token: generation === 0 ? `r.${hex(32)}` : `d.${hex(16)}`,
        expiresAt: at + lifetime * 1000,
      }),
    },
    options,
    TOKEN_DEFAULTS,
    (accountId) => accounts.byId(accountId)?.username,
  );
  const isActive = (accountId: number): boolean => accounts.byId(accountId)?.active === true;

  const tokensBody = (
    message: string,
    access: string,
    refresh: string,
    reference: string,
  ): Answer =>
    json(200, {
      message,
      tokens: {
        access_token: access,
        valid_for: families.lifetimes.accessSeconds,
        refresh_token: refresh,
        reference_token: reference,
        type: 'api',
      },
    });

  const login = async (input: KitRequest): Promise<Answer> => {
    const fields = required(await parseForm(input), ['username', 'password']);
    if (fields === undefined) return BAD_REQUEST;
    // Seed 003: "username: Can be username or email address".
    const checked = accounts.check(fields.username!, fields.password!, 'either');
    if (!checked.ok) {
      await kit.sleep(delays.of(checked.reason));
      return json(406, { error: loginErrors[checked.reason] });
    }
    const issued = families.login(checked.account.id);
    return tokensBody('Login success', issued.access.token, issued.refresh.token, 'auth_grant');
  };

  const refresh = async (input: KitRequest): Promise<Answer> => {
    const fields = required(await parseForm(input), ['refresh_token']);
    if (fields === undefined) return BAD_REQUEST;
    const presented = fields.refresh_token!;
    const result = families.refresh(presented, isActive);
    if (result.ok) {
      // Seed 003's example: `reference_token` is the refresh token the new pair was derived from.
      return tokensBody('Refresh Success', result.access.token, result.refresh.token, presented);
    }
    switch (result.outcome) {
      case 'inactive':
        return json(406, { error: loginErrors.inactive });
      case 'expired':
        return json(406, { error: 'Refresh token expired.' });
      default:
        return json(406, { error: 'Invalid refresh token.' });
    }
  };

  const signup = async (input: KitRequest): Promise<Answer> => {
    const fields = required(await parseForm(input), ['username', 'password', 'email']);
    if (fields === undefined) return BAD_REQUEST;
    const { username, password, email } = fields as Record<
      'username' | 'password' | 'email',
      string
    >;
    // Seed 003: "Any password greater than 8 characters".
    if (!USERNAME.test(username) || password.length <= 8 || !EMAIL.test(email.trim())) {
      return BAD_REQUEST;
    }
    if (
      accounts.find(username, 'username') !== undefined ||
      accounts.byEmail(email) !== undefined
    ) {
      return json(409, { error: 'Unable to signup.' });
    }
    const account = accounts.add({ username, password, email: email.trim(), active: signupActive });
    signups.push(publicAccount(account));
    return json(200, { message: 'Signup success', userid: account.id });
  };

  /** Seed 003 names a "Get Current User API" without its path; the fake serves it at `GET /auth/user`. */
  const currentUser = (input: KitRequest): Answer => {
    const parts = (input.request.headers.authorization ?? '').trim().split(/\s+/);
    const state =
      parts.length === 2 && parts[0]!.toLowerCase() === 'bearer'
        ? families.checkAccess(parts[1]!)
        : undefined;
    const account = state?.ok === true ? accounts.byId(state.accountId) : undefined;
    if (account === undefined || !account.active) return json(401, { error: 'Unauthorized' });
    return json(200, { userid: account.id, username: account.username, email: account.email });
  };

  const ROUTES: Record<string, { endpoint: NotesEndpoint; method: string }> = {
    '/auth/login': { endpoint: 'login', method: 'POST' },
    '/auth/refresh': { endpoint: 'refresh', method: 'POST' },
    '/auth/signup': { endpoint: 'signup', method: 'POST' },
    '/auth/user': { endpoint: 'currentUser', method: 'GET' },
  };
  const WORK: Record<NotesEndpoint, (input: KitRequest) => Promise<Answer> | Answer> = {
    login,
    refresh,
    signup,
    currentUser,
  };

  const route = (input: KitRequest): Routed<NotesEndpoint> | undefined => {
    const found = ROUTES[input.url.pathname];
    if (found === undefined) return undefined;
    return {
      endpoint: found.endpoint,
      handle: () => {
        const method = input.request.method ?? 'GET';
        if (method !== found.method && !(method === 'HEAD' && found.method === 'GET')) {
          return json(405, { error: 'Method not allowed' }, { allow: found.method });
        }
        return WORK[found.endpoint](input);
      },
    };
  };

  const kit = await startKit<NotesEndpoint>({
    ...server,
    endpoints: ENDPOINTS,
    route,
    notFound: () => json(404, { error: 'Not found' }),
    onRouted: countCalls(families),
    statusBody: (_status, reason) => ({ error: reason }),
    malformedJSON: '{"message": "Refresh Success", "tokens": {"access_token": "a.3f8f96',
    baseHeaders: {},
    tooLarge: json(413, { error: 'Request entity too large' }),
  });

  return upstreamFake<NotesEndpoint, FakeNotes>(
    'FakeNotes',
    { signups },
    { kit, families, delays, accounts },
  );
}
