--[[
  Joins a person to a campaign's queue, once: every later call, from any device or node, gets the
  same answer (a person is either in `places` or in `prequeue`, never both).
  A pre-queue join for a round not opened yet stores the person's secret draw in that round; for
  a round already opened (a node whose clock or refresh lags) it is first come, first served like
  any other. A first-come join first performs the openings due by the caller's clock, so
  first-come places always follow those rounds' pre-queues.

  KEYS[1] state     hash (rounds, issued, base:<r>)
  KEYS[2] places    hash person → first-come place (negative: the place they gave up, leave-7.lua)
  KEYS[3] prequeue  sorted set person → round × 2^40 + draw
  KEYS[4] log       list of events for the transparency log (includes/log-event.lua)
  ARGV[1] person key
  ARGV[2] the pre-queue round to join, or -1 to join first come, first served
  ARGV[3] rounds due by the caller's clock (a first-come join opens rounds 0 … max(1, this) − 1)
  ARGV[4] the draw: a 40-bit integer (prequeue-draw.ts: the log's seeded draw, or a random one)
  ARGV[5] now (ms)
  ARGV[6] '1' to record the change for the transparency log
  Output: { place or nil (waiting in the pre-queue), created (1 the first time, else 0) }
]]
-- @include "log-event"
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local place = tonumber(redis.call('HGET', KEYS[2], person))
if place and place > 0 then return { place, 0 } end
-- Someone who left joins again first come, first served (a drawn member keeps their draw: the
-- round's ranks depend on it).
local left = place ~= nil

if not left then
  local drawn = prequeuePlace(KEYS[1], KEYS[3], person)
  if drawn then
    if drawn == 0 then return { false, 0 } end
    return { drawn, 0 }
  end
end

local round = tonumber(ARGV[2])
if not left and round >= 0 and round >= tonumber(redis.call('HGET', KEYS[1], 'rounds') or 0) then
  redis.call('ZADD', KEYS[3], scoreArg(round * ROUND_SPAN + tonumber(ARGV[4])), person)
  logEvent(KEYS[1], KEYS[4], ARGV[6], 'enter ' .. round .. ' ' .. ARGV[5] .. ' ' .. person)
  return { false, 1 }
end

logOpenings(KEYS[1], KEYS[4], ARGV[6], ARGV[5], openRounds(KEYS[1], KEYS[3], math.max(1, tonumber(ARGV[3])) - 1))
local issued = redis.call('HINCRBY', KEYS[1], 'issued', 1)
redis.call('HSET', KEYS[2], person, issued)
logEvent(KEYS[1], KEYS[4], ARGV[6], 'place ' .. issued .. ' ' .. ARGV[5] .. ' ' .. person)
return { issued, 1 }
