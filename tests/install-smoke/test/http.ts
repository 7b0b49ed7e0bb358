/**
 * A user agent for the smoke sign-ins: plain `fetch` with a cookie jar, no redirects followed.
 */

/** One answer, body already read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws when it is not). */
  json: <T = unknown>() => T;
}

/** Requests against one origin that keep the cookies it sets, like a browser would. */
export class Visitor {
  readonly #cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  /** The cookie names it holds. */
  get cookieNames(): string[] {
    return [...this.#cookies.keys()];
  }

  /** The value of cookie `name`, if it holds one. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** GET `path`. */
  get(path: string): Promise<Answer> {
    return this.#request('GET', path);
  }

  /** POST `body` to `path` as JSON. */
  postJSON(path: string, body: unknown): Promise<Answer> {
    return this.#request('POST', path, JSON.stringify(body), 'application/json');
  }

  /** POST `fields` to `path` as a URL-encoded form. */
  postForm(path: string, fields: Record<string, string>): Promise<Answer> {
    return this.#request(
      'POST',
      path,
      new URLSearchParams(fields).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  async #request(method: string, path: string, body?: string, type?: string): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (type !== undefined) headers['content-type'] = type;
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(new URL(path, this.origin), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      // An empty value or an expiry in the past is how servers delete a cookie.
      if (value === '' || /max-age=0\b|expires=thu, 01 jan 1970/i.test(line)) {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, value);
      }
    }
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  }
}
