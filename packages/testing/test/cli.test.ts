import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('tingting-fake CLI', () => {
  it('starts, prints its URL and credentials, prints a delivery and stops on SIGINT', async () => {
    expect(
      existsSync(CLI),
      'build the package first (pnpm turbo run build --filter=@tingting-auth/testing)',
    ).toBe(true);
    const child = spawn(process.execPath, [CLI, '--port', '0', '--api-token', 'cli-token'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const watchers = new Set<() => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const watcher of [...watchers]) watcher();
    });
    const waitForOutput = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
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
      });
    try {
      const [, url] = await waitForOutput(/listening on (http:\/\/\S+)/);
      expect(output).toContain('API token: cli-token');
      const response = await fetch(`${url}/api/v1/auths/send/otp/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer cli-token' },
        body: JSON.stringify({
          number: '9812345678',
          message: 'Code {otp}',
          sms_send_options: 'voice',
          voice_input: 'np_rija',
          otp_options: 'personnel',
          otp: '246810',
        }),
      });
      expect(response.status).toBe(200);
      const [line] = await waitForOutput(/\[delivery #1\][^\n]*\n/);
      expect(line).toContain('voice (np_rija) to 9812345678: code 246810');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });

  it('rejects a bad option with a message and a non-zero exit', async () => {
    const rotation = spawn(process.execPath, [CLI, '--port', '0', '--rotation', 'often'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rotationError = '';
    rotation.stderr.on('data', (chunk: Buffer) => {
      rotationError += chunk.toString('utf8');
    });
    expect(await new Promise((resolve) => rotation.once('exit', resolve))).toBe(1);
    expect(rotationError).toContain("rotation must be 'none'");
    const child = spawn(process.execPath, [CLI, '--port', 'abc'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--port must be a whole number');
  });
});
