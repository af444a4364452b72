--[[
  Puts a person back at the place their signed ticket carries, when the store no longer knows
  them (Redis lost its data before the place was journalled). Only places already handed out can
  be reinstated (at or below issued: after a restore, new places start past a gap above every
  place that may have been in flight), so no one can be given a place someone else holds.
  The reinstated place is recorded for the transparency log (a `restore` event): its `place` entry
  may have been lost with the data.

  KEYS[1] state     hash (rounds, issued, base:<r>)
  KEYS[2] places    hash person → first-come place
  KEYS[3] prequeue  sorted set person → round × 2^40 + draw
  KEYS[4] log       list of recorded events (includes/log-event.lua)
  KEYS[5] abandoned sorted set of the positions given up (never reinstated: an old ticket does not bring one back)
  ARGV[1] person key
  ARGV[2] the place on the person's ticket
  ARGV[3] now (ms)
  ARGV[4] '1' to record the change for the log
  Output: the person's place (the one the store knew, or the reinstated one), or nil when refused
]]
-- @include "rounds"
-- @include "require-initialized"
-- @include "log-event"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local place = tonumber(redis.call('HGET', KEYS[2], person))
if place and place > 0 then return place end
if not place then
  local drawn = prequeuePlace(KEYS[1], KEYS[3], person)
  if drawn then
    if drawn == 0 then return false end
    return drawn
  end
end

local issued = tonumber(redis.call('HGET', KEYS[1], 'issued') or 0)
local wanted = tonumber(ARGV[2])
if wanted < 1 or wanted > issued or redis.call('ZSCORE', KEYS[5], ARGV[2]) then return false end
redis.call('HSET', KEYS[2], person, wanted)
logEvent(KEYS[1], KEYS[4], ARGV[4], 'restore ' .. wanted .. ' ' .. ARGV[3] .. ' ' .. person)
return wanted
