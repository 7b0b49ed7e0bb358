/**
 * The Lua scripts of {@link RedisStore}. Each runs atomically on the server, so every store
 * operation is one round trip and no two guesses interleave.
 *
 * Number hash (`{prefix:phone}`): `ls` lastSentAt, `ws` window start, `wc` sends in window,
 * `df` the window start of the window in which a delivery last failed definitively, `f` failures, `lf` last failure at, `lu` locked until, `k` keep-until (for the TTL).
 * Challenge hash (`{prefix:phone}:c:<purpose>`): `i` id, `h` code hash, `x` expiresAt,
 * `ch` channel, `a` attempts.
 *
 * All times are the engine's `now` (ARGV), never Redis TIME, so the policy matches the memory
 * store and fake clocks work. PEXPIRE only lets Redis clean up after the policy is done.
 *
 * @packageDocumentation
 */

const COMMON = `
local function fmt(n) return string.format('%.0f', n) end
local function num(v) if v then return tonumber(v) end return nil end
local function keep(k, untilMs, now, margin)
  local cur = num(redis.call('HGET', k, 'k')) or 0
  if untilMs > cur then
    cur = untilMs
    redis.call('HSET', k, 'k', fmt(cur))
  end
  local ttl = cur - now + margin
  if ttl < 1 then ttl = 1 end
  redis.call('PEXPIRE', k, fmt(ttl))
end
`;

/** KEYS: number, challenge. ARGV: id, hash, expiresAt, channel, cooldown, maxSends, window, now, margin. */
export const ISSUE: string = `${COMMON}
local n, c = KEYS[1], KEYS[2]
local now = tonumber(ARGV[8])
local margin = tonumber(ARGV[9])
local cooldown = tonumber(ARGV[5])
local maxSends = tonumber(ARGV[6])
local window = tonumber(ARGV[7])
local s = redis.call('HMGET', n, 'lu', 'ls', 'ws', 'wc')
local lu = num(s[1]) or 0
if lu > now then return {'locked', lu - now} end
local ls = num(s[2])
if ls and now < ls + cooldown then return {'cooldown', ls + cooldown - now} end
local ws = num(s[3])
local wc = num(s[4]) or 0
if (not ws) or now >= ws + window then
  ws = now
  wc = 0
end
if wc >= maxSends then return {'window_cap', ws + window - now} end
wc = wc + 1
redis.call('HSET', n, 'ls', fmt(now), 'ws', fmt(ws), 'wc', wc)
local keepUntil = now + cooldown
if ws + window > keepUntil then keepUntil = ws + window end
keep(n, keepUntil, now, margin)
local expiresAt = tonumber(ARGV[3])
redis.call('DEL', c)
redis.call('HSET', c, 'i', ARGV[1], 'h', ARGV[2], 'x', ARGV[3], 'ch', ARGV[4], 'a', 0)
local ttl = expiresAt - now + margin
if ttl < 1 then ttl = 1 end
redis.call('PEXPIRE', c, fmt(ttl))
return {'ok', wc}
`;

/**
 * KEYS: number, challenge. ARGV: hash, maxAttempts, lockAfter, lockBase, lockMax, failureWindow, now, margin.
 *
 * The hash compare is a plain `==`. That leaks nothing usable: the stored value is an HMAC keyed
 * with the server secret, so an attacker cannot choose hash prefixes to probe byte by byte (a
 * guess changes the whole HMAC unpredictably); and Lua 5.1 interns every string, so `==` on two
 * strings is a pointer comparison whose time does not depend on their contents.
 */
export const VERIFY: string = `${COMMON}
local n, c = KEYS[1], KEYS[2]
local maxA = tonumber(ARGV[2])
local lockAfter = tonumber(ARGV[3])
local base = tonumber(ARGV[4])
local lockMax = tonumber(ARGV[5])
local fw = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
local margin = tonumber(ARGV[8])
local s = redis.call('HMGET', n, 'lu', 'f', 'lf')
local lu = num(s[1]) or 0
local f = num(s[2]) or 0
local lf = num(s[3]) or 0
if f > 0 and now >= lf + fw then f = 0 end
if lu > now then return {'locked', lu - now, 0, f} end
local ch = redis.call('HMGET', c, 'h', 'x', 'a')
if not ch[1] then return {'no_challenge'} end
if now >= tonumber(ch[2]) then
  redis.call('DEL', c)
  return {'expired'}
end
local a = tonumber(ch[3]) or 0
if a >= maxA then return {'too_many_attempts'} end
redis.call('HINCRBY', c, 'a', 1)
if ch[1] == ARGV[1] then
  redis.call('DEL', c)
  redis.call('HDEL', n, 'f', 'lf')
  return {'ok'}
end
f = f + 1
redis.call('HSET', n, 'f', f, 'lf', fmt(now))
if f % lockAfter == 0 then
  local lockMs = math.min(base * math.pow(2, f / lockAfter - 1), lockMax)
  redis.call('HSET', n, 'lu', fmt(now + lockMs))
  keep(n, math.max(now + fw, now + lockMs), now, margin)
  return {'locked', lockMs, 1, f}
end
keep(n, now + fw, now, margin)
return {'wrong_code', f, maxA - a - 1}
`;

/**
 * KEYS: number, challenge. ARGV: id, failed (`1` for a definite delivery failure, else `0`),
 * maxSends. A repeated definite failure in one window closes it (`wc` = maxSends, cooldown kept).
 */
export const ABANDON: string = `
local n, c = KEYS[1], KEYS[2]
local pending = redis.call('HGET', c, 'i') == ARGV[1]
if pending then redis.call('DEL', c) end
local release = pending
if ARGV[2] == '1' then
  local s = redis.call('HMGET', n, 'ws', 'df', 'wc')
  if s[1] and s[1] == s[2] then
    local maxSends = tonumber(ARGV[3])
    if (tonumber(s[3]) or 0) < maxSends then redis.call('HSET', n, 'wc', maxSends) end
    release = false
  elseif s[1] then
    redis.call('HSET', n, 'df', s[1])
  end
end
if release then redis.call('HDEL', n, 'ls') end
return 1
`;

/** KEYS: challenge. */
export const CANCEL: string = `
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS: counter. ARGV: window, now, margin. */
export const HIT: string = `${COMMON}
local k = KEYS[1]
local window = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local margin = tonumber(ARGV[3])
local s = redis.call('HMGET', k, 's', 'n')
local start = num(s[1])
local count = num(s[2]) or 0
if (not start) or now >= start + window then
  start = now
  count = 0
end
count = count + 1
redis.call('HSET', k, 's', fmt(start), 'n', count)
local ttl = start + window - now + margin
if ttl < 1 then ttl = 1 end
redis.call('PEXPIRE', k, fmt(ttl))
return {count, start + window}
`;
