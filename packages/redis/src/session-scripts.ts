/**
 * The Lua scripts of {@link RedisSessionStore}. Each runs atomically on the server and is one round
 * trip.
 *
 * Keys of one subject share the hash tag `{prefix:u:<subject key>}` (one Redis Cluster slot):
 * - `…:s:<id>` session hash: `p` provider, `g` generation, `c` createdAt, `l` lastSeenAt,
 *   `x` expiresAt, `i` sealed info, `t` sealed tokens; or, once ended, only `e` (the reason) and
 *   `eu` (until when it is told);
 * - `…:idx` sorted set of the subject's session ids, scored by `expiresAt`;
 * - `…:l:<id>` the refresh lock (a random token, `PX`).
 * `list` and `endAll` build session and lock key names from the index inside the script: they
 * carry the same hash tag as `KEYS[1]`, so they are in the same slot (allowed for scripts without
 * the `no-cluster`/strict flags; Redis checks cross-slot access and would refuse it).
 *
 * Throttle counters `{prefix:t:<group>}:<key>` are hashes `c` count, `s` window start, `l` last.
 *
 * Every time is the manager's `now` (ARGV), never Redis TIME, so fake clocks work; PEXPIRE only
 * cleans up after the policy is done. Lock lifetimes are the server's (`PX`), on purpose.
 *
 * @packageDocumentation
 */

const COMMON = `
local function fmt(n) return string.format('%.0f', n) end
local function ttl(untilMs, now, margin)
  local t = untilMs - now + margin
  if t < 1 then t = 1 end
  return fmt(t)
end
local function keepIndex(idx, now, margin)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', fmt(now))
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIRE', idx, ttl(tonumber(top[2]), now, margin)) end
end
`;

/** KEYS: session, index. ARGV: id, p, g, c, l, x, i, t ('' for none), now, margin. */
export const SESSION_CREATE: string = `${COMMON}
local now = tonumber(ARGV[9])
local margin = tonumber(ARGV[10])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'p', ARGV[2], 'g', ARGV[3], 'c', ARGV[4], 'l', ARGV[5], 'x', ARGV[6], 'i', ARGV[7])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 't', ARGV[8]) end
redis.call('PEXPIRE', KEYS[1], ttl(tonumber(ARGV[6]), now, margin))
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
keepIndex(KEYS[2], now, margin)
return 1
`;

/** KEYS: session. ARGV: now, touchAfter ('' for none). */
export const SESSION_GET: string = `
local v = redis.call('HMGET', KEYS[1], 'p', 'g', 'c', 'l', 'x', 'i', 't', 'e', 'eu')
local now = tonumber(ARGV[1])
if not v[2] then
  if v[8] and now < tonumber(v[9]) then return {'ended', v[8]} end
  return {'none'}
end
if now >= tonumber(v[5]) then return {'none'} end
if ARGV[2] ~= '' and now >= tonumber(v[4]) + tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'l', ARGV[1])
  v[4] = ARGV[1]
end
return {'active', v[1], v[2], v[3], v[4], v[5], v[6], v[7] or ''}
`;

/** KEYS: session, index. ARGV: id, expectedGeneration, generation, tokens, x, now, margin. */
export const SESSION_REPLACE: string = `${COMMON}
local now = tonumber(ARGV[6])
local margin = tonumber(ARGV[7])
local v = redis.call('HMGET', KEYS[1], 'g', 'x')
if (not v[1]) or now >= tonumber(v[2]) then return 'missing' end
if tonumber(v[1]) ~= tonumber(ARGV[2]) then return 'conflict' end
redis.call('HSET', KEYS[1], 'g', ARGV[3], 't', ARGV[4], 'x', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ttl(tonumber(ARGV[5]), now, margin))
redis.call('ZADD', KEYS[2], 'XX', ARGV[5], ARGV[1])
keepIndex(KEYS[2], now, margin)
return 'ok'
`;

const END_ONE = `
local function endOne(s, lock, idx, id, reason, now, keepUntil)
  local v = redis.call('HMGET', s, 'g', 'x')
  local active = v[1] and now < tonumber(v[2])
  -- An ended session's remembered reason stays as it was.
  if v[1] then redis.call('DEL', s) end
  redis.call('DEL', lock)
  redis.call('ZREM', idx, id)
  if active and keepUntil > now then
    redis.call('HSET', s, 'e', reason, 'eu', string.format('%.0f', keepUntil))
    redis.call('PEXPIRE', s, string.format('%.0f', keepUntil - now + 60000))
  end
  if active then return 1 end
  return 0
end
`;

/** KEYS: session, index, lock. ARGV: id, reason, now, keepUntil. */
export const SESSION_END: string = `${END_ONE}
return endOne(KEYS[1], KEYS[3], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
`;

/** KEYS: index. ARGV: now, session key prefix (`…:s:`). Flat reply: id, p, g, c, l, x, i, t per session. */
export const SESSION_LIST: string = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HMGET', ARGV[2] .. id, 'p', 'g', 'c', 'l', 'x', 'i', 't')
  if v[2] and now < tonumber(v[5]) then
    table.insert(out, id)
    for j = 1, 6 do table.insert(out, v[j]) end
    table.insert(out, v[7] or '')
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/** KEYS: index. ARGV: reason, now, keepUntil, exceptId ('' for none), session prefix, lock prefix. */
export const SESSION_END_ALL: string = `${END_ONE}
local now = tonumber(ARGV[2])
local keepUntil = tonumber(ARGV[3])
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if id ~= ARGV[4] then
    n = n + endOne(ARGV[5] .. id, ARGV[6] .. id, KEYS[1], id, ARGV[1], now, keepUntil)
  end
end
return n
`;

/** KEYS: lock. ARGV: token, ttl. */
export const SESSION_LOCK: string = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

/** KEYS: lock. ARGV: token. Compare-and-delete: only the holder releases. */
export const SESSION_UNLOCK: string = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const RULES = `
local now = tonumber(ARGV[1])
local function rule(i)
  local b = 2 + (i - 1) * 5
  return ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
end
-- The window of a rule: keep for 'consecutive', window for the others.
local function windowOf(kind, a, b, c)
  if kind == 'consecutive' then return c end
  return b
end
local function current(k, window)
  local v = redis.call('HMGET', k, 'c', 's', 'l')
  if not v[1] then return nil end
  local s = tonumber(v[2])
  if now >= s + window then return nil end
  return {tonumber(v[1]), s, tonumber(v[3])}
end
`;

/**
 * KEYS: counters of one group. ARGV: now, then per key: kind, a, b, c, d, margin — as
 * `throttle-rules.ts`: consecutive (limit, block, keep), window (limit, window), delay (free,
 * window, base, max). Reply `{1}` (counted) or `{0, wait}` (nothing counted).
 */
export const THROTTLE_CONSUME: string = `${RULES}
local margin = tonumber(ARGV[#ARGV])
local wait = 0
for i, k in ipairs(KEYS) do
  local kind, a, b, c, d = rule(i)
  local st = current(k, windowOf(kind, a, b, c))
  if st then
    local w = 0
    if kind == 'consecutive' then
      if st[1] >= a and now < st[3] + b then w = st[3] + b - now end
    elseif kind == 'window' then
      if st[1] >= a then w = st[2] + b - now end
    else
      if st[1] >= a then
        local delay = math.min(c * math.pow(2, st[1] - a), d)
        if now < st[3] + delay then w = st[3] + delay - now end
      end
    end
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, string.format('%.0f', wait)} end
for i, k in ipairs(KEYS) do
  local kind, a, b, c = rule(i)
  local window = windowOf(kind, a, b, c)
  local st = current(k, window) or {0, now, now}
  redis.call('HSET', k, 'c', st[1] + 1, 's', string.format('%.0f', st[2]), 'l', string.format('%.0f', now))
  local t = st[2] + window - now + margin
  if t < 1 then t = 1 end
  redis.call('PEXPIRE', k, string.format('%.0f', t))
end
return {1}
`;

/** KEYS and ARGV as {@link THROTTLE_CONSUME}: take back one attempt from each counter. */
export const THROTTLE_REFUND: string = `${RULES}
for i, k in ipairs(KEYS) do
  local kind, a, b, c = rule(i)
  local st = current(k, windowOf(kind, a, b, c))
  if st then
    if st[1] <= 1 then redis.call('DEL', k) else redis.call('HSET', k, 'c', st[1] - 1) end
  end
end
return 1
`;

/** KEYS: counters. */
export const THROTTLE_RESET: string = `
for _, k in ipairs(KEYS) do redis.call('DEL', k) end
return 1
`;
