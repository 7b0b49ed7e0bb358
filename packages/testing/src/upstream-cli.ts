import { parseArgs } from 'node:util';
import { COMMON_FLAGS, commonOptions, runBin, stopOnSignals } from './cli-parts.js';
import { startFakeNotes } from './notes.js';
import { startFakeTimbr } from './timbr.js';
import type { FakeUpstreamOptions } from './upstream-types.js';

/** Which fake a CLI entry starts. */
export type UpstreamCLIKind = 'timbr' | 'notes';

const DEFAULT_PORTS: Record<UpstreamCLIKind, number> = { timbr: 4020, notes: 4030 };

function usage(kind: UpstreamCLIKind): string {
  const name = `${kind}-fake`;
  const what =
    kind === 'timbr'
      ? 'a fake Timbr API (JWT create/refresh/verify, team API tokens)'
      : 'a fake notes-service auth API (form login, refresh, signup)';
  return `Usage: ${name} [options]

Starts ${what}.

Options:
  --port <n>             port to listen on (default ${DEFAULT_PORTS[kind]}; 0 picks a free one)
  --host <host>          host to listen on (default 127.0.0.1)
  --username <u>         account username (default dev)
  --email <e>            account email (default dev@example.com)
  --password <p>         account password (default dev-password)
  --rotation <mode>      none | rotate | rotate-detect-reuse (default ${kind === 'timbr' ? 'none' : 'rotate'})
  --grace-seconds <n>    a rotated refresh token still works this long (default 0)
  --access-seconds <n>   access token lifetime (default ${kind === 'timbr' ? 300 : 7200})
  --refresh-seconds <n>  refresh token lifetime (default ${kind === 'timbr' ? 86400 : 604800})
${kind === 'timbr' ? '  --team <uuid>          create a team (repeatable; every account is a member)\n' : ''}  --verbose              also print one line per request
  -h, --help             show this help`;
}

/** Runs a CLI entry: parses `process.argv`, starts the fake, stops it on SIGINT/SIGTERM. */
export async function runUpstreamCLI(kind: UpstreamCLIKind): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...COMMON_FLAGS,
      username: { type: 'string' },
      ...(kind === 'timbr' ? { team: { type: 'string' as const, multiple: true as const } } : {}),
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage(kind)}\n`);
    return;
  }
  const username = values.username ?? 'dev';
  const options: FakeUpstreamOptions = {
    ...commonOptions(values, DEFAULT_PORTS[kind]),
    accounts: [
      {
        username,
        email:
          values.email ??
          (values.username === undefined ? 'dev@example.com' : `${username}@example.com`),
        password: values.password ?? 'dev-password',
      },
    ],
  };
  const teams = (values as { team?: string[] }).team ?? [];
  const fake =
    kind === 'timbr'
      ? await startFakeTimbr({ ...options, teams: teams.map((uuid) => ({ uuid })) })
      : await startFakeNotes(options);
  const endpoints =
    kind === 'timbr'
      ? [
          `  JWT:       POST ${fake.url}/api/auth/jwt/  (refresh/, verify/)`,
          `  teams:     ${fake.url}/api/openapi/token/{team_uuid}/${teams.length > 0 ? `  (${teams.join(', ')})` : ''}`,
        ]
      : [`  login:     POST ${fake.url}/auth/login  (form data; also /auth/refresh, /auth/signup)`];
  // This is a local development tool: showing the credentials is its purpose.
  process.stdout.write(
    [
      `${kind}-fake listening on ${fake.url}`,
      ...endpoints,
      `  account:   ${fake.account.username} (${fake.account.email}) / ${fake.account.password}`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  stopOnSignals(fake);
}

/** The `main` of a bin: a bad option prints a message and exits 1. */
export function mainUpstreamCLI(kind: UpstreamCLIKind): void {
  runBin(`${kind}-fake`, () => runUpstreamCLI(kind));
}
