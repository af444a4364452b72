--[[
  Gives up a person's place, not yet served: the position is abandoned for good (never admitted,
  never reinstated, passed by tick-7.lua at no cost to the rate), the person is no longer in line
  (their place in `places` becomes its negative; a drawn member stays in `prequeue`, so the others
  of their round keep their ranks), and the change is recorded for the log as
  `skip <place> <now> abandoned`. Leaving again is idempotent. Mirrors memory-queue-state.ts
  `leaveOutcome`.

  KEYS[1] state          hash (servingUpTo, rounds, base:<r>; abandoned counts the places given up)
  KEYS[2] places         hash person → first-come place (negative: the place they gave up)
  KEYS[3] prequeue       sorted set person → round × 2^40 + draw
  KEYS[4] active         sorted set person → admission expiry (ms)
  KEYS[5] abandoned      sorted set of the positions given up (score and member: the position)
  KEYS[6] abandoned-log  list of the positions given up, in order (nodes read the new ones)
  KEYS[7] log            list of events for the transparency log (includes/log-event.lua)
  ARGV[1] person key
  ARGV[2] the place on the person's ticket, or 0 for a pre-queue ticket
  ARGV[3] now (ms)
  ARGV[4] '1' to record the change for the transparency log
  Output: { 1, place } left (now or before) · { 2 } served already · { 3 } in a pre-queue not
          drawn yet · { 4 } the store does not hold the ticket's place for them
]]
-- @include "log-event"
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local wanted = tonumber(ARGV[2])
if wanted > 0 and redis.call('ZSCORE', KEYS[5], ARGV[2]) then return { 1, wanted } end

local place = tonumber(redis.call('HGET', KEYS[2], person))
local current
if place and place > 0 then
  current = place
elseif place then
  if wanted <= 0 then return { 1, -place } end
  return { 4 }
else
  local drawn = prequeuePlace(KEYS[1], KEYS[3], person)
  if drawn == 0 then return { 3 } end
  if not drawn then return { 4 } end
  current = drawn
end
if wanted > 0 and wanted ~= current then return { 4 } end

local serving = tonumber(redis.call('HGET', KEYS[1], 'servingUpTo') or 0)
local expiry = tonumber(redis.call('ZSCORE', KEYS[4], person))
if current <= serving or (expiry and expiry > tonumber(ARGV[3])) then return { 2 } end

local position = string.format('%d', current)
redis.call('HSET', KEYS[2], person, '-' .. position)
redis.call('ZADD', KEYS[5], position, position)
redis.call('RPUSH', KEYS[6], position)
redis.call('HINCRBY', KEYS[1], 'abandoned', 1)
logEvent(KEYS[1], KEYS[7], ARGV[4], 'skip ' .. position .. ' ' .. ARGV[3] .. ' abandoned')
return { 1, current }
