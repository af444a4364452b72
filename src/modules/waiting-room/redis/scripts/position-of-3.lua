#!lua flags=no-writes
--[[
  A person's place: the FCFS place, or after the opening the pre-queue rank + 1. Read-only, and
  one script so that "opened" and the rank are read at the same instant.

  KEYS[1] state     hash (opened)
  KEYS[2] places    hash person → FCFS place
  KEYS[3] prequeue  sorted set person → draw
  ARGV[1] person key
  Output: the place, or nil (not in line, or waiting in the pre-queue before the opening)
]]
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local place = redis.call('HGET', KEYS[2], ARGV[1])
if place then return tonumber(place) end
if redis.call('HGET', KEYS[1], 'opened') ~= '1' then return false end
local rank = redis.call('ZRANK', KEYS[3], ARGV[1])
if rank then return rank + 1 end
return false
