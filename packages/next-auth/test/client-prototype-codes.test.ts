/**
 * The browser client maps an error answer's `code` to a known code and its message. A code named
 * like a built-in object property (from a proxy's or another server's JSON) is not a known code:
 * it must come out as UNEXPECTED_RESPONSE with a text message, never a function as the message.
 */
import { describe, expect, it } from 'vitest';
import { sendCode } from '../src/client.js';
import { PHONE } from './helpers.js';

describe('sendCode: an error code named like an Object.prototype property', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'])(
    '%s',
    async (code) => {
      const fetch = async () => Response.json({ error: { code } }, { status: 400 });
      const result = await sendCode({ phone: PHONE }, { fetch });
      expect(result).toEqual({
        ok: false,
        code: 'UNEXPECTED_RESPONSE',
        message: 'Something went wrong. Try again.',
        status: 400,
      });
    },
  );
});
