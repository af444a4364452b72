--[[
  Joins a person to a campaign's queue, once: every later call, from any device or node, gets the
  same answer (a person is either in `places` or in `prequeue`, never both).
  Before the opening, a pre-queue join stores the person's secret random draw; after it, a
  pre-queue join (a node whose clock lags) is first come, first served like any other. An FCFS
  join before the opening performs the opening first, so FCFS places always follow the pre-queue.

  KEYS[1] state     hash (opened, prequeueSize, fcfs)
  KEYS[2] places    hash person → FCFS place
  KEYS[3] prequeue  sorted set person → draw
  ARGV[1] person key
  ARGV[2] '1' to join the pre-queue (the caller's clock says the opening is still ahead), else '0'
  ARGV[3] the draw: a random integer below 2^53 from Node's crypto (exact as a score)
  Output: { place or nil (waiting in the pre-queue), created (1 the first time, else 0) }
]]
-- @include "open-prequeue"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local place = redis.call('HGET', KEYS[2], person)
if place then return { tonumber(place), 0 } end

local opened = redis.call('HGET', KEYS[1], 'opened') == '1'
if redis.call('ZSCORE', KEYS[3], person) then
  if not opened then return { false, 0 } end
  -- Ties between equal draws are broken by member, so the order is total.
  return { redis.call('ZRANK', KEYS[3], person) + 1, 0 }
end

if ARGV[2] == '1' and not opened then
  redis.call('ZADD', KEYS[3], ARGV[3], person)
  return { false, 1 }
end

if not opened then openPrequeue(KEYS[1], KEYS[3]) end
local fcfs = redis.call('HINCRBY', KEYS[1], 'fcfs', 1)
place = tonumber(redis.call('HGET', KEYS[1], 'prequeueSize')) + fcfs
redis.call('HSET', KEYS[2], person, place)
return { place, 1 }
