/**
 * "Sign out everywhere" across processes: two Express app processes (test/fixtures/session-app.mjs,
 * the built dist) share one Redis through RedisSessionStore; each keeps its own express-session
 * memory store, so only the UpstreamSessions store carries the revocation. Ending sessions in
 * process 1 signs out the browsers that process 2 serves, on their next request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { createClient } from 'redis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../../redis/test/helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/session-app.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const prefix = uniquePrefix('express-sessions-procs');
const client = createClient({ url: REDIS_URL });
const children: ChildProcess[] = [];
let fake: FakeTingTing;
let urls: string[] = [];

function startApp(): Promise<string> {
  const child = spawn(process.execPath, [FIXTURE, REDIS_URL, prefix, fake.url, fake.apiToken], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    child.on('exit', (code) => reject(new Error(`the app process exited (${code})`)));
  });
}

beforeAll(async () => {
  await client.connect();
  fake = await startFakeTingTing();
  urls = await Promise.all([startApp(), startApp()]);
}, 30_000);
afterAll(async () => {
  for (const child of children) child.stdin!.end();
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((done) => child.on('exit', done)) : undefined,
    ),
  );
  await fake?.close();
  await deletePrefix((args) => client.sendCommand(args), prefix);
  client.destroy();
});

async function signIn(url: string, phone: string) {
  const agent = request.agent(url);
  expect((await agent.post('/auth/send').send({ phone })).status).toBe(202);
  const code = fake.outbox.last(phone)!.otp;
  expect((await agent.post('/auth/verify').send({ phone, code })).status).toBe(200);
  return agent;
}

describe('sign out everywhere across two Express processes sharing Redis', () => {
  it('runs against the built dist', () => {
    expect(existsSync(DIST)).toBe(true);
  });

  it('process 1 lists and ends the sessions process 2 serves; they are signed out on their next request', async () => {
    const [one, two] = urls as [string, string];
    const here = await signIn(one, '9812345001');
    const there = await signIn(two, '9812345001');
    const pids = [(await here.get('/me')).body.pid, (await there.get('/me')).body.pid];
    expect(pids[0]).not.toBe(pids[1]);

    const listed = (await here.get('/auth/sessions')).body.sessions as {
      id: string;
      current: boolean;
    }[];
    expect(listed.map((s) => s.current)).toEqual([true, false]);
    const thereId = (await there.get('/me')).body.sessionId as string;
    expect(listed[1]!.id).toBe(thereId);

    expect((await here.post(`/auth/sessions/${thereId}/end`)).status).toBe(204);
    const ended = await there.get('/me');
    expect([ended.status, ended.body.error?.code]).toEqual([401, 'NOT_VERIFIED']);
    expect((await here.get('/me')).status).toBe(200);

    // Two more devices on process 2 (one of another number), then "sign out everywhere" on 1.
    const again = await signIn(two, '9812345001');
    const other = await signIn(two, '9812345002');
    expect((await again.get('/me')).status).toBe(200);
    expect((await here.post('/auth/sign-out-everywhere')).status).toBe(204);
    expect((await here.get('/me')).status).toBe(401);
    const gone = await again.get('/me');
    expect([gone.status, gone.body.error?.code]).toEqual([401, 'NOT_VERIFIED']);
    expect((await other.get('/me')).status).toBe(200);
  });
});
