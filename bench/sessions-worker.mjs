// One of the 4 processes of bench/sessions.ts: asks for one session's access token `count` times
// at once, through the built packages, and prints the tokens it got.
// argv: redisURL prefix notesURL secret sid count startAt now
import { notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { RedisSessionStore } from '@tingting-auth/redis';
import { createClient } from 'redis';

const [url, prefix, notesURL, secret, sid, count, startAt, now] = process.argv.slice(2);
const client = createClient({ url });
await client.connect();
const sessions = new UpstreamSessions({
  store: new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) }),
  secret,
  provider: notesProvider({ baseURL: notesURL }),
  clock: () => Number(now),
  throttle: false,
});
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
const tokens = await Promise.all(
  Array.from({ length: Number(count) }, () => sessions.getAccessToken(sid)),
);
process.stdout.write(JSON.stringify(tokens));
client.destroy();
