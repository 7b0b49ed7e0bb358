import type { IncomingMessage, ServerResponse } from 'node:http';
import type bodyParser from 'body-parser';
import { TingTingHTTPError } from './http-error.js';
import type { ExpressLikeRequest } from './types.js';

type Parser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Reads the small JSON or URL-encoded bodies of the send and verify steps. */
export interface BodyReader {
  /** The body as an object of fields, or a {@link TingTingHTTPError} (400, 413, 415). */
  read(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown>>;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function run(parser: Parser, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    parser(req, res, (error) => (error === undefined ? resolve() : reject(error)));
  });
}

function toHTTPError(error: unknown): TingTingHTTPError {
  const type = (error as { type?: unknown } | null)?.type;
  const status = (error as { status?: unknown } | null)?.status;
  if (type === 'entity.too.large' || type === 'parameters.too.many' || status === 413) {
    return new TingTingHTTPError('PAYLOAD_TOO_LARGE', { cause: error });
  }
  if (type === 'charset.unsupported' || type === 'encoding.unsupported' || status === 415) {
    return new TingTingHTTPError('UNSUPPORTED_MEDIA_TYPE', { cause: error });
  }
  return new TingTingHTTPError('MALFORMED_BODY', { cause: error });
}

/**
 * body-parser's JSON and URL-encoded parsers. Loaded on the first body the app has not parsed
 * itself, not at import: body-parser brings about 40 modules, and an app with `express.json()`
 * in front of the router never needs them.
 */
async function loadParsers(limit: string | number): Promise<{ json: Parser; form: Parser }> {
  const imported = (await import('body-parser')) as unknown as {
    default?: typeof bodyParser;
  } & typeof bodyParser;
  // A CommonJS module: its exports arrive as the default (ESM), or as the module itself.
  const parsers = imported.default ?? imported;
  return {
    json: parsers.json({ limit, strict: true }) as Parser,
    // `extended: false` (querystring): flat fields only, a repeated field becomes an array,
    // which the field checks refuse.
    form: parsers.urlencoded({ limit, extended: false, parameterLimit: 20 }) as Parser,
  };
}

/**
 * A body reader: uses `req.body` when the app already parsed it, otherwise parses JSON and
 * URL-encoded bodies itself (body-parser, small limit), so the router works with or without
 * `express.json()` in front of it.
 */
export function createBodyReader(limit: string | number): BodyReader {
  let parsers: Promise<{ json: Parser; form: Parser }> | undefined;
  const load = () => {
    parsers ??= loadParsers(limit).catch((error: unknown) => {
      parsers = undefined;
      throw error;
    });
    return parsers;
  };
  return {
    async read(request, res) {
      const req = request as ExpressLikeRequest;
      // Express 4's own parsers leave `{}` and an unread stream for a content type they skip.
      const parsedByApp =
        req.body !== undefined && !(isEmptyObject(req.body) && hasBody(req) && !req.complete);
      if (!parsedByApp) {
        if (!hasBody(req)) throw new TingTingHTTPError('INVALID_REQUEST');
        req.body = undefined;
        const { json, form } = await load();
        try {
          await run(json, req, res);
          if (req.body === undefined) await run(form, req, res);
        } catch (error) {
          throw toHTTPError(error);
        }
        if (req.body === undefined) throw new TingTingHTTPError('UNSUPPORTED_MEDIA_TYPE');
      }
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new TingTingHTTPError('INVALID_REQUEST');
      }
      return body as Record<string, unknown>;
    },
  };
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}
