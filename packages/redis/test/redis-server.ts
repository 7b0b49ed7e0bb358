/**
 * A private `redis-server` process for outage tests: started on a free loopback port, killed with
 * SIGKILL mid-run and started again on the same port. Shared by this package's
 * `outage.test.ts` and `packages/express/test/redis-outage.test.ts` (a relative import: test code
 * only, never part of the package).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port nothing listens on at the moment of the call. */
export async function freePort(): Promise<number> {
  // Below the kernel's ephemeral range (Linux: 32768-60999). A port from listen(0) is in that
  // range, and a client that keeps reconnecting to it after the server was killed can be given
  // the very same port as its own source port: the kernel then connects the socket to itself
  // (TCP simultaneous open), the client believes it is connected again, and its commands hang.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

/**
 * One non-persistent `redis-server` on a fixed loopback port, at most one process at a time.
 * Call {@link RedisServerProcess.stop} in `afterAll`: it kills whatever process is current.
 */
export class RedisServerProcess {
  /** The port every process of this server listens on, across restarts. */
  readonly port: number;
  #child: ChildProcess | undefined;
  // If the test process exits without afterAll having run, the server must not outlive it.
  readonly #onExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts a server on a free port; resolves once it accepts connections. */
  static async start(): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort());
    await server.restart();
    return server;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `true` while a process is started and has not exited. */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts a new process on the same port (nothing kept: no RDB, no AOF) unless one is running. */
  async restart(): Promise<void> {
    if (this.running) return;
    // No persistence: a restart comes back empty, as a Redis without RDB/AOF does after a crash.
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Tracked before it is ready, so stop() kills it even when startup fails or hangs.
    this.#child = child;
    process.off('exit', this.#onExit);
    process.once('exit', this.#onExit);
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code, signal) =>
          reject(new Error(`redis-server exited (${code ?? signal}): ${output}`)),
        );
        child.once('error', reject);
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
    child.removeAllListeners('exit');
    // Keep draining its output, or a full pipe would block the server.
    child.stdout!.removeAllListeners('data').resume();
    child.stderr!.removeAllListeners('data').resume();
  }

  /** Kills the current process with SIGKILL (a crash: no shutdown, no save) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    process.off('exit', this.#onExit);
    if (child === undefined || child.pid === undefined || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
