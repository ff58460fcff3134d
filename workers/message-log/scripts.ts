/**
 * The Lua scripts of the message log: each multi-key change is one script, so Redis applies it
 * whole or not at all and no reader ever sees a message in two status lists (or none).
 * Key layout: see `keys.ts`. Replies are flat arrays of strings (Lua `false` would truncate an
 * array reply, so "absent" travels as `''`).
 */
import { LuaScript } from './lua-script.js';

/**
 * Records a message, or finds the first one with the same dedupe key. A new message's id also
 * joins the "join" sorted sets (score 0, NX): the person order, registered in the same call.
 * KEYS: 1 message hash, 2 history, 3 tenant, 4 tenant:s:received, 5 tenant-client,
 *       6 tenant-client:s:received, 7 pending, 8 … 7+n join sets, [8+n dedupe key]
 * ARGV: 1 id, 2 now (ms), 3 payload sha256, 4 history entry (JSON), 5 message key prefix,
 *       6 n (number of join sets), 7… hash field/value pairs
 * Reply: duplicate ('1'|'0'), id, status, same payload ('1'|'0'), has ack ('1'|'0'), ack bytes
 */
export const RECEIVE = new LuaScript(`
local id = ARGV[1]
local joins = tonumber(ARGV[6])
local dedupe = KEYS[8 + joins]
if dedupe then
  local existing = redis.call('GET', dedupe)
  if existing then
    local mkey = ARGV[5] .. existing
    local cur = redis.call('HMGET', mkey, 'status', 'sha', 'ack')
    -- a dedupe key whose record is gone (retention) is stale: record this one afresh
    if cur[1] then
      redis.call('HINCRBY', mkey, 'dups', 1)
      redis.call('HSET', mkey, 'lastDupAt', ARGV[2])
      local same = '0'
      if cur[2] == ARGV[3] then same = '1' end
      if cur[3] then
        return {'1', existing, cur[1], same, '1', cur[3]}
      end
      return {'1', existing, cur[1], same, '0', ''}
    end
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('ERR message id already used: ' .. id)
end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('RPUSH', KEYS[2], ARGV[4])
for i = 3, 6 do
  redis.call('ZADD', KEYS[i], 0, id)
end
redis.call('ZADD', KEYS[7], ARGV[2], id)
for i = 8, 7 + joins do
  redis.call('ZADD', KEYS[i], 'NX', 0, id)
end
if dedupe then
  redis.call('SET', dedupe, id)
end
return {'0', id, 'received', '1', '0', ''}
`);

/**
 * Lua: stores `ack` in the message hash KEYS[1] unless one is there already (with `ackAt`), and
 * returns the stored one. Shared by SET_ACK and TRANSITION, so both keep the same rule.
 */
const STORE_ACK = `
local function store_ack(ack, now)
  if redis.call('HSETNX', KEYS[1], 'ack', ack) == 1 then
    redis.call('HSET', KEYS[1], 'ackAt', now)
    return ack
  end
  return redis.call('HGET', KEYS[1], 'ack')
end`;

/**
 * Moves a message to a status, appending history; optionally as a replay.
 * KEYS: 1 message hash, 2 history, 3 pending, 4… sorted sets the id leaves (the person order)
 * ARGV: 1 id, 2 new status, 3 now (ms), 4 history entry (JSON), 5 reason ('' = none),
 *       6 code ('' = none), 7 key prefix, 8 allowed current statuses (' a b ' or '' = any),
 *       9 replay history entry (JSON, '' = not a replay), 10 earlier step's history entry (JSON, '' = none),
 *       11 ACK to store as SET_ACK does ('' = none)
 * Reply: 'ok', previous status, replay count, stored ACK ('' when ARGV 11 is '') | 'notfound' | 'conflict', current status
 */
export const TRANSITION = new LuaScript(`${STORE_ACK}
local cur = redis.call('HMGET', KEYS[1], 'status', 'tk', 'ck', 'replays')
local old = cur[1]
if not old then
  return {'notfound'}
end
if ARGV[8] ~= '' and not string.find(ARGV[8], ' ' .. old .. ' ', 1, true) then
  return {'conflict', old}
end
local id = ARGV[1]
local new = ARGV[2]
if old ~= new then
  local t = ARGV[7] .. ':t:' .. cur[2]
  local c = t .. ':c:' .. cur[3]
  redis.call('ZREM', t .. ':s:' .. old, id)
  redis.call('ZREM', c .. ':s:' .. old, id)
  redis.call('ZADD', t .. ':s:' .. new, 0, id)
  redis.call('ZADD', c .. ':s:' .. new, 0, id)
end
if new == 'received' then
  redis.call('ZADD', KEYS[3], 'NX', ARGV[3], id)
else
  redis.call('ZREM', KEYS[3], id)
end
for i = 4, #KEYS do
  redis.call('ZREM', KEYS[i], id)
end
local replays = cur[4] or '0'
if ARGV[10] and ARGV[10] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[10])
end
if ARGV[9] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[9])
  replays = tostring(redis.call('HINCRBY', KEYS[1], 'replays', 1))
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'status', new, 'updatedAt', ARGV[3])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'reason', ARGV[5])
else
  redis.call('HDEL', KEYS[1], 'reason')
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[1], 'code', ARGV[6])
else
  redis.call('HDEL', KEYS[1], 'code')
end
local ack = ''
if ARGV[11] and ARGV[11] ~= '' then
  ack = store_ack(ARGV[11], ARGV[3])
end
return {'ok', old, replays, ack}
`);

/**
 * Stores the ACK of a message unless one is stored already (first writer wins, so racing
 * receipts of the same message all send the bytes that were stored).
 * KEYS: 1 message hash. ARGV: 1 ack bytes, 2 now (ms)
 * Reply: 'ok', the stored ack | 'notfound'
 */
export const SET_ACK = new LuaScript(`${STORE_ACK}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
return {'ok', store_ack(ARGV[1], ARGV[2])}
`);
/**
 * Moves a message to another client and tenant (an undeclared sender's message, once a client
 * declares it): out of the old tenant and tenant-client indexes, into the new ones, in its
 * current status, with a history entry.
 * KEYS: 1 message hash, 2 history. ARGV: 1 id, 2 key prefix, 3 new tenant, 4 its key segment,
 *       5 new client, 6 its key segment, 7 history entry (JSON), 8 now (ms)
 * Reply: 'ok', previous tenant, previous client | 'notfound'
 */
export const REASSIGN = new LuaScript(`
local cur = redis.call('HMGET', KEYS[1], 'status', 'tk', 'ck', 'tenant', 'clientId')
local status = cur[1]
if not status then
  return {'notfound'}
end
local id = ARGV[1]
local oldT = ARGV[2] .. ':t:' .. cur[2]
local oldC = oldT .. ':c:' .. cur[3]
local newT = ARGV[2] .. ':t:' .. ARGV[4]
local newC = newT .. ':c:' .. ARGV[6]
for _, key in ipairs({oldT, oldT .. ':s:' .. status, oldC, oldC .. ':s:' .. status}) do
  redis.call('ZREM', key, id)
end
for _, key in ipairs({newT, newT .. ':s:' .. status, newC, newC .. ':s:' .. status}) do
  redis.call('ZADD', key, 0, id)
end
redis.call('HSET', KEYS[1], 'tenant', ARGV[3], 'tk', ARGV[4], 'clientId', ARGV[5], 'ck', ARGV[6], 'updatedAt', ARGV[8])
redis.call('RPUSH', KEYS[2], ARGV[7])
return {'ok', cur[4], cur[5]}
`);

/**
 * One page of an index, newest first, with the listed fields of each message, read atomically.
 * KEYS: 1 index zset. ARGV: 1 upper bound ('+' or '(' .. last id seen), 2 count,
 *       3 message key prefix, 4… field names
 * Reply: flat array, per message: id then one value per field ('' = absent)
 */
export const LIST = new LuaScript(`
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], '-', 'BYLEX', 'REV', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  local values = redis.call('HMGET', ARGV[3] .. id, unpack(ARGV, 4))
  for i = 1, #ARGV - 3 do
    out[#out + 1] = values[i] or ''
  end
end
return out
`);

/**
 * Reads a message whole: its hash and its history, in one atomic call (a MULTI would do, but
 * ioredis builds each MULTI by copying every script defined on the shared connection).
 * KEYS: 1 message hash, 2 history
 * Reply: { hash field/value pairs, history entries }
 */
export const GET = new LuaScript(`
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }
`);
