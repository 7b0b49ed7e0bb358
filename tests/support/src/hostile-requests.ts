/**
 * Hostile requests for the adapters that run in a Node HTTP app (Express, Passport): the bodies
 * of `test-support/hostile-bodies` with odd headers, chunked or not, on the adapter's paths, and
 * a keep-alive client that sends them as they are on the wire.
 */
import http from 'node:http';
import fc from 'fast-check';
import { HANG_IN_MILLISECONDS } from './hostile.js';
import type { Endpoint, HostileBodies } from './hostile-bodies.js';

/** A generated request, as it goes on the wire. */
export interface HostileRequest {
  /** What the generator built, for the shrunk counterexample. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Send the body chunked (no Content-Length). */
  chunked: boolean;
  /** The request must be refused (4xx): nothing sent, nobody signed in. */
  mustRefuse: boolean;
}

/** `r`, printed in a counterexample as it went on the wire (bytes as latin1, escaped). */
export function readable(r: HostileRequest): HostileRequest {
  return Object.assign(r, {
    [fc.toStringMethod]: () =>
      `${r.kind}: ${r.method} ${r.path} ${JSON.stringify(r.headers)}${r.chunked ? ' (chunked)' : ''} ${
        r.body === undefined ? '(no body)' : JSON.stringify(r.body.toString('latin1'))
      }${r.mustRefuse ? ' [must be refused]' : ''}`,
  });
}

/** Options of {@link hostileRequests}: where the endpoint is and how the app reads bodies. */
export interface HostileRequestsOptions {
  /** The routes of the endpoint; each request goes to one of them. */
  paths: readonly string[];
  /** What may follow the path (`''`, `'/'`, a query string the endpoint must not read). */
  suffixes: readonly string[];
  /** A qs parser (`urlencoded({ extended: true })`) reads the forms. */
  qs: boolean;
  /** The body limit, in bytes. */
  limit: number;
  /** A form of more `&`-separated parts than this is refused. @default no limit */
  maxFormParts?: number;
  /** Headers a request gets when it has none of that name (a browser's `Accept`). */
  defaultHeaders?: Record<string, string>;
}

/**
 * POST requests to `endpoint` with every body of `bodies.encodings`, sometimes odd headers,
 * sometimes chunked; one must be refused when its body must, or when it says it is cross-site.
 */
export function hostileRequests(
  bodies: HostileBodies,
  endpoint: Endpoint,
  options: HostileRequestsOptions,
): fc.Arbitrary<HostileRequest> {
  const { paths, suffixes, qs, limit, maxFormParts, defaultHeaders = {} } = options;
  const e = bodies.encodings(endpoint.fields, endpoint.refused, {
    reads: endpoint.reads,
    qs,
    limit,
    ...(maxFormParts === undefined ? {} : { maxFormParts }),
  });
  const body = fc.oneof(
    { weight: 4, arbitrary: e.json },
    { weight: 2, arbitrary: e.oddJSON },
    { weight: 2, arbitrary: e.duplicatedJSON },
    { weight: 1, arbitrary: e.invalidUTF8 },
    { weight: 2, arbitrary: e.truncated },
    { weight: 4, arbitrary: e.form },
    { weight: 1, arbitrary: e.crossed },
    { weight: 2, arbitrary: e.otherType },
    { weight: 1, arbitrary: e.multipart },
    { weight: 1, arbitrary: e.noBody },
    { weight: 1, arbitrary: e.garbageBytes },
    { weight: 1, arbitrary: e.polluted },
    { weight: 1, arbitrary: e.manyParameters },
    { weight: 1, arbitrary: e.deep },
    { weight: 1, arbitrary: e.bomb },
    { weight: 1, arbitrary: e.huge },
  );
  return fc
    .tuple(
      body,
      fc.option(bodies.headers, { freq: 2, nil: undefined }),
      fc.boolean(),
      fc.constantFrom(...paths),
      fc.constantFrom(...suffixes),
    )
    .map(([encoded, headers, chunked, path, suffix]): HostileRequest => {
      const h: Record<string, string> = { ...(headers ?? {}), ...(encoded.headers ?? {}) };
      if (encoded.contentType !== undefined) h['content-type'] = encoded.contentType;
      for (const [name, value] of Object.entries(defaultHeaders)) h[name] ??= value;
      const site = h['sec-fetch-site'];
      const crossSite = site === 'cross-site' || site === 'same-site';
      return readable({
        kind: encoded.kind,
        method: 'POST',
        path: `${path}${suffix}`,
        headers: h,
        body: encoded.body,
        chunked: chunked && encoded.body !== undefined,
        mustRefuse: encoded.refused || crossSite,
      });
    });
}

/** An answer, as it came off the wire. */
export interface Answer {
  status: number;
  /** The raw header lines, for the secret check. */
  head: string;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** What {@link httpClient} returns. */
export interface HTTPClient {
  /** Sends `r` to `127.0.0.1:port` as it is; rejects when no answer comes (a hang). */
  send(port: number, r: HostileRequest): Promise<Answer>;
  /** POSTs `body` as JSON (a setup step, not hostile input). */
  postJSON(port: number, path: string, body: unknown): Promise<Answer>;
  /** Closes the kept-alive socket. */
  close(): void;
}

/**
 * One keep-alive socket for a test file's requests, so a request that leaves the connection in a
 * bad state shows in the next one.
 */
export function httpClient(): HTTPClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  function send(port: number, r: HostileRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers = { ...r.headers };
      if (r.body !== undefined && !r.chunked) headers['content-length'] = String(r.body.length);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.path,
          headers,
          agent,
          signal: AbortSignal.timeout(HANG_IN_MILLISECONDS),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              head: res.rawHeaders.join('\n'),
              text: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(r.body);
    });
  }
  return {
    send,
    postJSON: (port, path, body) =>
      send(port, {
        kind: 'setup',
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
        chunked: false,
        mustRefuse: false,
      }),
    close: () => agent.destroy(),
  };
}
