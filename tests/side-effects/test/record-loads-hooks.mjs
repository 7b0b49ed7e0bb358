import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.LOADS_FILE && resolved.url.startsWith('file:')) {
    appendFileSync(process.env.LOADS_FILE, `${resolved.url}\n`);
  }
  return resolved;
}
