import type { FakeUpstreamOptions, RotationMode } from './upstream-types.js';

// What the fakes' CLIs (tingting-fake, timbr-fake, notes-fake) share. Internal to the bins.

/** The `parseArgs` options every fake's CLI takes. */
export const COMMON_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  rotation: { type: 'string' },
  'grace-seconds': { type: 'string' },
  'access-seconds': { type: 'string' },
  'refresh-seconds': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new TypeError(`--${name} must be a whole number`);
  return Number(value);
}

/** The fake's options from the {@link COMMON_FLAGS} that every fake takes alike. */
export function commonOptions(
  values: {
    port?: string;
    host?: string;
    rotation?: string;
    'grace-seconds'?: string;
    'access-seconds'?: string;
    'refresh-seconds'?: string;
    verbose?: boolean;
  },
  defaultPort: number,
): Pick<
  FakeUpstreamOptions,
  'port' | 'host' | 'rotation' | 'graceSeconds' | 'lifetimes' | 'logger'
> {
  const graceSeconds = whole('grace-seconds', values['grace-seconds']);
  const accessSeconds = whole('access-seconds', values['access-seconds']);
  const refreshSeconds = whole('refresh-seconds', values['refresh-seconds']);
  return {
    port: whole('port', values.port) ?? defaultPort,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.rotation === undefined ? {} : { rotation: values.rotation as RotationMode }),
    ...(graceSeconds === undefined ? {} : { graceSeconds }),
    lifetimes: {
      ...(accessSeconds === undefined ? {} : { accessSeconds }),
      ...(refreshSeconds === undefined ? {} : { refreshSeconds }),
    },
    ...(values.verbose ? { logger: (line: string) => process.stdout.write(`  ${line}\n`) } : {}),
  };
}

/** On SIGINT or SIGTERM: close the fake, then exit (0, or 1 when closing failed). */
export function stopOnSignals(fake: { close(): Promise<void> }): void {
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs a bin's `main`: a failure (a bad option) prints `<bin>: <message>` and exits 1. */
export function runBin(bin: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${bin}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
