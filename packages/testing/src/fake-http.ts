import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { type Answer, BodyTooLargeError, PROXY_ERROR_HTML, readBody, writeAnswer } from './http.js';
import type { FakeRequest, Fault, FaultKind, RedirectedRequest } from './types.js';

const MAX_REQUEST_BODY_IN_BYTES = 1024 * 1024;
const MAX_LOGGED_REQUESTS = 10_000;
const DEFAULT_OVERSIZED_BYTES = 10 * 1024 * 1024;

/** What a fake's router hands the kit for one request. */
export interface Routed<E extends string> {
  readonly endpoint: E;
  /** Does the endpoint's work and answers. Runs at most once per request. */
  readonly handle: () => Promise<Answer> | Answer;
}

/** The request as the kit read it. */
export interface KitRequest {
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
}

export interface KitOptions<E extends string> {
  readonly host: string;
  readonly port: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly endpoints: readonly E[];
  /** The endpoint a request is for, or `undefined` (then `notFound` answers). */
  readonly route: (request: KitRequest) => Routed<E> | undefined;
  readonly notFound: (request: KitRequest) => Answer;
  /** Called for every request routed to an endpoint, before any fault (counters). */
  readonly onRouted?: (endpoint: E, request: KitRequest) => void;
  /** JSON body of a `status` fault without its own body. */
  readonly statusBody: (status: number, reason: string) => unknown;
  /** The body of a `malformed-json` fault: valid-looking JSON cut short. */
  readonly malformedJSON: string;
  /** How the ~10 MB body of an `oversized` fault starts (it ends with `"}`). @default '{"padding":"' */
  readonly oversizedPrefix?: string;
  /** Headers every answer carries (the upstream's framework defaults). */
  readonly baseHeaders: Record<string, string>;
  /** The answer to a body over 1 MB. */
  readonly tooLarge: Answer;
}

/** The server half every fake shares: listening, the redirect trap, faults and the request log. */
export interface Kit<E extends string> {
  readonly url: string;
  readonly requests: readonly FakeRequest<E>[];
  readonly redirectedRequests: readonly RedirectedRequest[];
  inject(endpoint: E, fault: Fault): void;
  clearFaults(): void;
  /** A real-time wait that `close()` cuts short. */
  sleep(milliseconds: number): Promise<void>;
  close(): Promise<void>;
}

interface PendingFault {
  readonly fault: Fault;
  remaining: number;
}

/** Checks a fault before it is queued (a `TypeError` names what is wrong). */
export function validateFault(endpoints: readonly string[], endpoint: string, fault: Fault): void {
  if (!endpoints.includes(endpoint)) {
    throw new TypeError(
      `Unknown endpoint "${String(endpoint)}"; expected one of ${endpoints.join(', ')}`,
    );
  }
  const times = fault.times ?? 1;
  if (!(times >= 1)) throw new TypeError('fault.times must be at least 1 (or Infinity)');
  if (
    fault.status !== undefined &&
    !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)
  ) {
    throw new TypeError('fault.status must be an HTTP status between 100 and 599');
  }
  if (fault.delayInMilliseconds !== undefined && !(fault.delayInMilliseconds >= 0)) {
    throw new TypeError('fault.delayInMilliseconds must be 0 or more');
  }
}

/** Start the HTTP side of a fake: `route` says which endpoint a request is for and does its work. */
export async function startKit<E extends string>(options: KitOptions<E>): Promise<Kit<E>> {
  const { now, log } = options;
  const requests: FakeRequest<E>[] = [];
  const redirectedRequests: RedirectedRequest[] = [];
  const faults = new Map<E, PendingFault[]>();
  const pendingDelays = new Set<() => void>();
  let closed = false;

  const write = (
    response: Parameters<typeof writeAnswer>[0],
    answer: Answer,
    isHead = false,
  ): void => writeAnswer(response, answer, isHead, options.baseHeaders);

  const takeFault = (endpoint: E): Fault | undefined => {
    const queue = faults.get(endpoint);
    const pending = queue?.[0];
    if (queue === undefined || pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) queue.shift();
    return pending.fault;
  };

  const sleep = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed || milliseconds <= 0) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      pendingDelays.add(done);
    });

  const faultAnswer = (fault: Fault, kind: FaultKind, url: URL): Answer => {
    const headers = fault.headers ?? {};
    switch (kind) {
      case 'html':
        return {
          status: fault.status ?? 200,
          raw: PROXY_ERROR_HTML,
          contentType: 'text/html; charset=utf-8',
          headers,
        };
      case 'malformed-json':
        return { status: fault.status ?? 200, raw: options.malformedJSON, headers };
      case 'oversized': {
        const size = fault.sizeInBytes ?? DEFAULT_OVERSIZED_BYTES;
        const prefix = options.oversizedPrefix ?? '{"padding":"';
        const raw = Buffer.alloc(Math.max(size, prefix.length + 2), 'x');
        raw.write(prefix, 0, 'utf8');
        raw.write('"}', raw.length - 2, 'utf8');
        return { status: fault.status ?? 200, raw, headers };
      }
      case 'redirect':
        return {
          status: fault.status ?? 302,
          headers: {
            location: fault.location ?? `${trapOrigin}${url.pathname}${url.search}`,
            ...headers,
          },
        };
      default: {
        const status = fault.status ?? 500;
        return {
          status,
          body: fault.body ?? options.statusBody(status, STATUS_CODES[status] ?? 'Error'),
          headers,
        };
      }
    }
  };

  const record = (
    request: IncomingMessage,
    endpoint: E | undefined,
    status: number,
    at: number,
    fault?: FaultKind | 'delay',
  ): void => {
    const path = request.url ?? '/';
    if (requests.length >= MAX_LOGGED_REQUESTS) requests.shift();
    requests.push({
      method: request.method ?? 'GET',
      path,
      endpoint,
      status,
      ...(fault === undefined ? {} : { fault }),
      at: new Date(at),
    });
    // The path only, never a query string, header or body: nothing secret reaches the log.
    log(
      `${request.method} ${path.split('?')[0]} ${status === 0 ? 'reset' : status}${fault ? ` (fault: ${fault})` : ''}`,
    );
  };

  const handle = async (
    request: IncomingMessage,
    response: Parameters<typeof writeAnswer>[0],
  ): Promise<void> => {
    const at = now();
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const isHead = request.method === 'HEAD';
    let body: Buffer;
    try {
      body = await readBody(request, MAX_REQUEST_BODY_IN_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        response.destroy();
        return;
      }
      write(response, options.tooLarge);
      record(request, undefined, options.tooLarge.status, at);
      return;
    }
    const kitRequest: KitRequest = { request, url, body };
    const routed = options.route(kitRequest);
    if (routed === undefined) {
      const answer = options.notFound(kitRequest);
      write(response, answer, isHead);
      record(request, undefined, answer.status, at);
      return;
    }
    options.onRouted?.(routed.endpoint, kitRequest);
    const fault = takeFault(routed.endpoint);
    if (fault?.delayInMilliseconds) await sleep(fault.delayInMilliseconds);
    if (closed) return;
    const kind: FaultKind | undefined =
      fault === undefined
        ? undefined
        : (fault.kind ??
          (fault.status !== undefined || !fault.delayInMilliseconds ? 'status' : undefined));
    if (fault !== undefined && kind === 'reset') {
      // The request arrived whole; with the work done the upstream moved on (a refresh token was
      // rotated) and the client never hears of it.
      if (fault.afterWork !== false) await routed.handle();
      request.socket.destroy();
      record(request, routed.endpoint, 0, at, 'reset');
      return;
    }
    if (fault !== undefined && kind !== undefined) {
      if (fault.afterWork === true) await routed.handle();
      const answer = faultAnswer(fault, kind, url);
      write(response, answer, isHead);
      record(request, routed.endpoint, answer.status, at, kind);
      return;
    }
    const answer = await routed.handle();
    write(
      response,
      fault === undefined
        ? answer
        : { ...answer, headers: { ...answer.headers, ...fault.headers } },
      isHead,
    );
    record(request, routed.endpoint, answer.status, at, fault === undefined ? undefined : 'delay');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent && !response.destroyed) {
        write(response, { status: 500, body: options.statusBody(500, 'Internal Server Error') });
      } else {
        response.destroy();
      }
    });
  });

  // The redirect fault's other origin: a second listener on another loopback address (another
  // port if that address is not available) that records who followed, and with what.
  const trap = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      redirectedRequests.push({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        hadAuthorization: request.headers.authorization !== undefined,
        hadCookie: request.headers.cookie !== undefined,
      });
      write(response, {
        status: 200,
        body: { detail: 'This is another origin: the client followed a cross-origin redirect.' },
      });
    });
  });

  const main = await listen(server, options.port, options.host);
  let trapAddress: AddressInfo;
  try {
    trapAddress = await listen(trap, 0, options.host === '127.0.0.1' ? '127.0.0.2' : options.host);
  } catch {
    trapAddress = await listen(trap, 0, options.host);
  }
  const trapOrigin = formatOrigin(trapAddress);

  return {
    url: formatOrigin(main),
    requests,
    redirectedRequests,
    inject(endpoint, fault) {
      validateFault(options.endpoints, endpoint, fault);
      const queue = faults.get(endpoint) ?? [];
      queue.push({ fault, remaining: fault.times ?? 1 });
      faults.set(endpoint, queue);
    },
    clearFaults() {
      faults.clear();
    },
    sleep,
    async close() {
      if (closed) return;
      closed = true;
      for (const release of [...pendingDelays]) release();
      await Promise.all([closeServer(server), closeServer(trap)]);
    },
  };
}

function listen(target: Server, port: number, address: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    target.once('error', onError);
    target.listen(port, address, () => {
      target.off('error', onError);
      resolve(target.address() as AddressInfo);
    });
  });
}

function formatOrigin(address: AddressInfo): string {
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

function closeServer(target: Server): Promise<void> {
  return new Promise((resolve) => {
    target.close(() => resolve());
    target.closeAllConnections();
  });
}

/** Keep passwords and tokens out of `console.log(fake)` and test-runner diffs. */
export function hideSecrets(fake: object, name: string, url: string): void {
  Object.defineProperty(fake, inspect.custom, {
    value: () => `${name} { url: '${url}' }`,
    enumerable: false,
  });
  Object.defineProperty(fake, 'toJSON', { value: () => ({ url }), enumerable: false });
}
