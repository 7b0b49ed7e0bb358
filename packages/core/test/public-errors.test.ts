import { describe, expect, it } from 'vitest';
import {
  DeliveryFailedError,
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  StoreUnavailableError,
  TingTingAuthError,
  VERIFY_FAILURE_CODES,
} from '../src/index.js';

describe('public errors', () => {
  it('gives every code a status and a message, and every engine reason a code', () => {
    const codes = Object.keys(PUBLIC_ERROR_STATUS).sort();
    expect(Object.keys(PUBLIC_ERROR_MESSAGES).sort()).toEqual(codes);
    for (const code of [
      ...Object.values(SEND_FAILURE_CODES),
      ...Object.values(VERIFY_FAILURE_CODES),
    ]) {
      expect(codes).toContain(code);
    }
    for (const message of Object.values(PUBLIC_ERROR_MESSAGES)) expect(message).not.toBe('');
  });

  it('says DELIVERY_FAILED only for a definite delivery failure', () => {
    expect(publicCodeOfError(new DeliveryFailedError())).toBe('DELIVERY_FAILED');
    expect(publicCodeOfError(new StoreUnavailableError())).toBe('SERVICE_UNAVAILABLE');
    expect(publicCodeOfError(new TingTingAuthError('UNKNOWN_OUTCOME', 'maybe sent'))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(publicCodeOfError(new Error('bug'))).toBe('SERVICE_UNAVAILABLE');
    expect(publicCodeOfError(undefined)).toBe('SERVICE_UNAVAILABLE');
  });
});
