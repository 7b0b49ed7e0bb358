import { describe, expect, it } from 'vitest';
import {
  DeliveryFailedError,
  ErrorCode,
  StoreUnavailableError,
  TingTingAuthError,
  ValidationError,
} from '../src/errors.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber } from './helpers.js';

// The engine fails closed on its store: whatever a store throws, the caller sees one
// StoreUnavailableError (the original kept as its cause). A store that throws one of
// tingting-auth's own other errors must not pass it through: a DeliveryFailedError from the store
// would read as "the code could not be delivered" (the app may offer a voice call), a
// ValidationError as a bad input of the user's.
describe('a store that throws another tingting-auth error', () => {
  it.each([
    ['DeliveryFailedError', () => new DeliveryFailedError('from the store')],
    ['ValidationError', () => new ValidationError('phone', 'from the store')],
    ['TingTingAuthError(API)', () => new TingTingAuthError(ErrorCode.API, 'from the store')],
  ])('%s becomes a StoreUnavailableError on send, verify and cancel', async (_, make) => {
    const store = new MemoryStore();
    const thrown: unknown[] = [];
    const fail = async (): Promise<never> => {
      const error = make();
      thrown.push(error);
      throw error;
    };
    store.issue = fail;
    store.verify = fail;
    store.cancel = fail;
    const { engine } = makeEngine({ store });
    const phone = phoneNumber();
    for (const call of [
      () => engine.send({ phone }),
      () => engine.verify({ phone, code: '123456' }),
      () => engine.cancel({ phone }),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as TingTingAuthError).code).toBe(ErrorCode.STORE_UNAVAILABLE);
      expect((error as Error).cause).toBe(thrown.at(-1));
    }
    expect(thrown).toHaveLength(3);
  });

  it('a StoreUnavailableError from the store passes through as it is', async () => {
    const store = new MemoryStore();
    const original = new StoreUnavailableError('redis is down');
    store.cancel = async () => {
      throw original;
    };
    const { engine } = makeEngine({ store });
    await expect(engine.cancel({ phone: phoneNumber() })).rejects.toBe(original);
  });
});

// `cancel` answers nothing; an answer that is not `undefined` nor an object is a broken store
// (or a wrong one plugged in) and must fail closed like the other operations, not be ignored.
describe('a store whose cancel answers something that is not an outcome', () => {
  it.each([
    ['5', 5],
    ['null', null],
    ['a string', 'ok'],
    ['true', true],
  ])('cancel answering %s: StoreUnavailableError', async (_, answer) => {
    const store = new MemoryStore();
    store.cancel = async () => answer as never;
    const { engine } = makeEngine({ store });
    const error = await engine.cancel({ phone: phoneNumber() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe(
      'The OTP store answered something that is not an outcome',
    );
  });

  it.each([
    ['undefined', undefined],
    ['an object', {}],
  ])('cancel answering %s: fine', async (_, answer) => {
    const store = new MemoryStore();
    store.cancel = async () => answer as never;
    const { engine } = makeEngine({ store });
    await expect(engine.cancel({ phone: phoneNumber() })).resolves.toBeUndefined();
  });
});
