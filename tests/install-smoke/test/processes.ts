/**
 * Child processes of the smoke apps: started in their own process group (so a server's own
 * children go too), tracked, and all stopped by {@link stopAll} in `afterAll`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const running = new Set<ChildProcess>();

/** A started child: what it printed so far, and how to stop it. */
export interface Started<T> {
  /** What its ready line parsed to. */
  ready: T;
  output: () => string;
  stop: () => Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions<T> {
  cwd: string;
  env: Record<string, string>;
  /** Reads everything printed so far; returns a value once the child is ready. */
  isReady: (output: string) => T | undefined;
  /** How long to wait for it; generous, this is a smoke test on a busy CI machine. */
  timeoutInMilliseconds?: number;
}

/** Run `node <args>` (the Node that runs the tests) until `isReady` says it is up. */
export async function start<T>(args: string[], options: StartOptions<T>): Promise<Started<T>> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  const stop = (): Promise<void> => stopChild(child);
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`node ${args.join(' ')} was not ready in time:\n${output}`));
    }, options.timeoutInMilliseconds ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const value = options.isReady(output);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited (${code ?? signal}):\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { ready, output: () => output, stop };
}

async function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      // The negative pid is the process group `detached: true` created.
      process.kill(-(child.pid as number), signal);
    } catch {}
  };
  signalGroup('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, 5_000, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signalGroup('SIGKILL');
    await exited;
  }
}

/** Stop every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

/** Run `node <args>` to completion; its stdout parsed as JSON. */
export async function runNode(args: string[], cwd: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd, timeout: 30_000 });
  return JSON.parse(stdout);
}
