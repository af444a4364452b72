#!lua flags=no-writes
--[[
  A person's place: the first-come place, or once their round opened the pre-queue place (the
  round's base + rank within the round + 1). Read-only, and one script so that the rounds opened
  and the rank are read at the same instant.

  KEYS[1] state     hash (rounds, base:<r>)
  KEYS[2] places    hash person → first-come place
  KEYS[3] prequeue  sorted set person → round × 2^40 + draw
  ARGV[1] person key
  Output: the place, or nil (not in line, or waiting in the pre-queue of a round not opened yet)
]]
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local place = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if place and place > 0 then return place end
-- A negative place is one given up (leave-7.lua): not in line.
if place then return false end
local drawn = prequeuePlace(KEYS[1], KEYS[3], ARGV[1])
if drawn and drawn > 0 then return drawn end
return false
