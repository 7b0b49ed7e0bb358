import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = (name: string): string => fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));

/** Collects stdout and resolves once `pattern` shows up (10 s at most). */
function watch(child: ChildProcessWithoutNullStreams): {
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
} {
  let output = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const watcher of [...watchers]) watcher();
  });
  return {
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no ${pattern} in: ${output}`));
        }, 10_000);
        function check(): void {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(match);
          }
        }
        watchers.add(check);
        check();
      }),
  };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
}

describe('timbr-fake and notes-fake CLIs', () => {
  it('timbr-fake serves a login for the given account and a team, prints requests with --verbose', async () => {
    const path = bin('timbr-cli');
    expect(existsSync(path), 'build the package first').toBe(true);
    const child = spawn(
      process.execPath,
      [
        path,
        '--port',
        '0',
        '--username',
        'ram',
        '--password',
        'ram-password',
        '--team',
        'team-1',
        '--rotation',
        'rotate',
        '--verbose',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out = watch(child);
    try {
      const [, url] = await out.waitFor(/listening on (http:\/\/\S+)/);
      expect(out.output()).toContain('account:   ram (ram@example.com) / ram-password');
      const login = await fetch(`${url}/api/auth/jwt/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ram', password: 'ram-password' }),
      });
      expect(login.status).toBe(201);
      const { access, refresh } = await login.json();
      const rotated = await fetch(`${url}/api/auth/jwt/refresh/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh }),
      });
      expect(Object.keys(await rotated.json()).sort()).toEqual(['access', 'refresh']);
      const team = await fetch(`${url}/api/openapi/token/team-1/`, {
        headers: { authorization: `Bearer ${access}` },
      });
      expect(team.status).toBe(200);
      await out.waitFor(/GET \/api\/openapi\/token\/team-1\/ 200/);
      expect(out.output()).not.toContain(access);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('notes-fake serves a form login with the default account', async () => {
    const child = spawn(process.execPath, [bin('notes-cli'), '--port', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = watch(child);
    try {
      const [, url] = await out.waitFor(/listening on (http:\/\/\S+)/);
      const login = await fetch(`${url}/auth/login`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'dev', password: 'dev-password' }),
      });
      expect(login.status).toBe(200);
      expect((await login.json()).tokens.valid_for).toBe(7200);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('rejects a bad option with a message and exit code 1', async () => {
    for (const [name, args, message] of [
      ['timbr-cli', ['--rotation', 'sometimes'], "rotation must be 'none'"],
      ['notes-cli', ['--access-seconds', 'soon'], '--access-seconds must be a whole number'],
    ] as const) {
      const child = spawn(process.execPath, [bin(name), '--port', '0', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(message);
    }
  });
});
