export { StoreUnavailableError } from '@tingting-auth/core';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export type { SendCommand } from './script-runner.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from './session-store.js';
