export { StoreUnavailableError } from '@tingting-auth/core';
export { RedisStore, type RedisStoreOptions, type SendCommand } from './redis-store.js';
