// Imports one entry in a fresh process and prints, as JSON, every trace the import left: globals,
// timers and other handles, process listeners, output, warnings, and the packages it loaded.
//   node --import ./record-loads.mjs probe.mjs <specifier> <esm|cjs> <output.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [specifier, format, out] = process.argv.slice(2);
const warnings = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));
const output = [];
const { write: stdoutWrite } = process.stdout;
const { write: stderrWrite } = process.stderr;
process.stdout.write = (chunk) => output.push(String(chunk)) > 0;
process.stderr.write = (chunk) => output.push(String(chunk)) > 0;

const listeners = () =>
  process.eventNames().map((name) => `${String(name)}×${process.listenerCount(name)}`);
const before = {
  globals: Object.getOwnPropertyNames(globalThis),
  resources: process.getActiveResourcesInfo(),
  listeners: listeners(),
};
const require = createRequire(`${process.cwd()}/`);
const cjsBefore = new Set(Object.keys(require.cache));
let error;
try {
  if (format === 'cjs') require(specifier);
  else await import(specifier);
} catch (caught) {
  error = String(caught);
}
// Give deferred work (a promise job, an immediate) the chance to show itself.
await new Promise((resolve) => setImmediate(resolve));
process.stdout.write = stdoutWrite;
process.stderr.write = stderrWrite;

const added = (now, then) => now.filter((item) => !then.includes(item));
const packageOf = (file) => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file);
  return match?.[1];
};
const esmLoads = process.env.LOADS_FILE
  ? readFileSync(process.env.LOADS_FILE, 'utf8').split('\n').filter(Boolean)
  : [];
const cjsLoads = Object.keys(require.cache).filter((file) => !cjsBefore.has(file));
const packages = [...new Set([...esmLoads, ...cjsLoads].map(decodeURI).map(packageOf))]
  .filter((name) => name !== undefined)
  .sort();
writeFileSync(
  out,
  JSON.stringify({
    error,
    globals: added(Object.getOwnPropertyNames(globalThis), before.globals),
    resources: added(process.getActiveResourcesInfo(), before.resources),
    listeners: added(listeners(), before.listeners),
    output: output.join(''),
    warnings,
    packages,
  }),
);
