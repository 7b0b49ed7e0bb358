import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '@tingting-auth/core';

/**
 * Sends one raw Redis command (`['EVALSHA', sha, '2', key1, key2, ...args]`) and resolves with
 * the reply. node-redis: `(args) => client.sendCommand(args)`; ioredis:
 * `(args) => client.call(args[0], ...args.slice(1))`. Every command the stores send is `EVALSHA`
 * or `EVAL`, whose first key is `args[3]`: a cluster client can route by it.
 */
export type SendCommand = (args: string[]) => Promise<unknown>;

/** A Lua script and its SHA-1, for `EVALSHA`. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/** Hash a script once, at load. */
export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** A reply that is not what the script returns: the store answers `StoreUnavailableError`. */
export class UnexpectedReplyError extends Error {
  constructor() {
    super('Unexpected reply from Redis');
    this.name = 'UnexpectedReplyError';
  }
}

/** A number, or its text (a string or bytes); anything else, or blank text, is no number. */
export function toNumber(value: unknown): number {
  const text =
    typeof value === 'string'
      ? value
      : value instanceof Uint8Array
        ? Buffer.from(value).toString('utf8')
        : undefined;
  // `Number('')`, `Number(' ')` and `Number(String([]))` are 0: a reply cut short must not read
  // as a count or a wait of 0.
  const n = typeof value === 'number' ? value : text?.trim() ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw new UnexpectedReplyError();
  return n;
}

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new UnexpectedReplyError();
}

export function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new UnexpectedReplyError();
  return value;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs scripts through a `sendCommand`: `EVALSHA`, falling back to `EVAL` on `NOSCRIPT` (a flushed
 * cache, a fresh node), with a timeout; any failure becomes `StoreUnavailableError` with a generic
 * message (keys are never in it).
 */
export class ScriptRunner {
  constructor(
    private readonly sendCommand: SendCommand,
    private readonly timeoutInMilliseconds: number,
    private readonly failureMessage: string,
  ) {}

  private async send(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Redis command timed out')),
        this.timeoutInMilliseconds,
      );
    });
    try {
      return await Promise.race([this.sendCommand(args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async run<T>(
    s: Script,
    keys: readonly string[],
    args: readonly (string | number)[],
    parse: (reply: unknown) => T,
  ): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      let reply: unknown;
      try {
        reply = await this.send(['EVALSHA', s.sha, ...tail]);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        reply = await this.send(['EVAL', s.source, ...tail]);
      }
      return parse(reply);
    } catch (error) {
      throw new StoreUnavailableError(this.failureMessage, { cause: error });
    }
  }
}

/**
 * A store's key prefix and script runner from its options (`prefix` @default 'tingting-auth',
 * `timeoutInMilliseconds` @default 5000). Throws `TypeError` naming `owner` for bad ones.
 */
export function runnerOf(
  owner: string,
  options: {
    readonly sendCommand: SendCommand;
    readonly prefix?: string;
    readonly timeoutInMilliseconds?: number;
  },
  failureMessage: string,
): { prefix: string; runner: ScriptRunner } {
  if (typeof options?.sendCommand !== 'function') {
    throw new TypeError(`${owner}: options.sendCommand must be a function (args) => Promise`);
  }
  const prefix = options.prefix ?? 'tingting-auth';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError(`${owner}: options.prefix must be a non-empty string without { or }`);
  }
  const timeout = options.timeoutInMilliseconds ?? 5_000;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError(`${owner}: options.timeoutInMilliseconds must be a positive number`);
  }
  return { prefix, runner: new ScriptRunner(options.sendCommand, timeout, failureMessage) };
}
