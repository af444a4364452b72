--[[
  Puts a person back at the place their signed ticket carries, when the store no longer knows
  them (Redis lost its data before the place was journalled). Only places already handed out can
  be reinstated (at or below issuedUpTo: after a restore, new places start past a gap above every
  place that may have been in flight), so no one can be given a place someone else holds.

  KEYS[1] state     hash (opened, prequeueSize, fcfs)
  KEYS[2] places    hash person → FCFS place
  KEYS[3] prequeue  sorted set person → draw
  ARGV[1] person key
  ARGV[2] the place on the person's ticket
  Output: the person's place (the one the store knew, or the reinstated one), or nil when refused
]]
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local place = redis.call('HGET', KEYS[2], person)
if place then return tonumber(place) end
local opened = redis.call('HGET', KEYS[1], 'opened') == '1'
local rank = redis.call('ZRANK', KEYS[3], person)
if rank and opened then return rank + 1 end
if not opened then return false end

local issued = tonumber(redis.call('HGET', KEYS[1], 'prequeueSize') or 0) + tonumber(redis.call('HGET', KEYS[1], 'fcfs') or 0)
local wanted = tonumber(ARGV[2])
if wanted < 1 or wanted > issued then return false end
redis.call('HSET', KEYS[2], person, wanted)
return wanted
