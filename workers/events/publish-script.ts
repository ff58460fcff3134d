/**
 * The common case of `publishEvent` in one Redis round trip: store the event if new, tell whether
 * an earlier publication finished its fan-out, and read the subscriptions that listen to its type
 * in its tenant — setting the "fanned out" marker at once when none does (nothing to enqueue), so
 * an event nobody listens to costs one EVALSHA. A Lua script rather than a MULTI: ioredis builds
 * each MULTI by copying every script defined on the shared connection (BullMQ defines dozens).
 *
 * Subscriptions of the source client are left out here (no echo to the writer); the publisher
 * still checks each returned subscription (tenant, status, end, types) as the store does.
 */
import { LuaScript } from '../message-log/lua-script.js';

/**
 * KEYS: 1 event (string), 2 fanned-out marker (string), 3 listeners of (tenant, type) (set)
 * ARGV: 1 event JSON, 2 retention ms, 3 subscription hash key prefix (`P:wh:s:`), 4 source client id
 * Reply: created ('1'|'0'), fanned out ('1'|'0'), then one flat HGETALL array per listener that is
 * not the source client's (none when the earlier publication had finished).
 */
export const PUBLISH = new LuaScript(`
local created = '0'
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  created = '1'
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return {'0', '1'}
end
local out = {created, '0'}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local key = ARGV[3] .. id
  local client = redis.call('HGET', key, 'clientId')
  if client and client ~= ARGV[4] then
    out[#out + 1] = redis.call('HGETALL', key)
  end
end
if #out == 2 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
  out[2] = '1'
end
return out
`);

/**
 * Stores an event unless its id is stored already, and tells whether its fan-out finished.
 * KEYS: 1 event, 2 fanned-out marker. ARGV: 1 event JSON, 2 retention ms.
 * Reply: created ('1'|'0'), fanned out ('1'|'0')
 */
export const PUT = new LuaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return {'1', tostring(redis.call('EXISTS', KEYS[2]))}
end
return {'0', tostring(redis.call('EXISTS', KEYS[2]))}
`);
