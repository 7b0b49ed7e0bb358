// `--import` this to have every ESM resolution appended to $LOADS_FILE (the hooks run off-thread).
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url);
