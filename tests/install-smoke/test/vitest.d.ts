import type { PackedPackage } from './packing.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by global-setup.ts: the run's temporary directory and the packed packages. */
    installSmoke: { root: string; packed: Record<string, PackedPackage> };
  }
}
