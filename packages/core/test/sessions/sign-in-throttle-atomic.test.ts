import { MemorySessionStore } from '../../src/upstream/index.js';
import { describeAtomicThrottle } from './sign-in-throttle-atomic.js';

describeAtomicThrottle('MemorySessionStore', async () => new MemorySessionStore());
