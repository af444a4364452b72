#!lua flags=no-writes
--[[
  Whether a person is in line, without joining (a repeat join skips the eligibility checks).
  Read-only; one script so that "opened" and the rank are read at the same instant.

  KEYS[1] state     hash (opened)
  KEYS[2] places    hash person → FCFS place
  KEYS[3] prequeue  sorted set person → draw
  ARGV[1] person key
  Output: { 0 } not in line · { 1 } in the pre-queue before the opening · { 2, place } placed
]]
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local place = redis.call('HGET', KEYS[2], ARGV[1])
if place then return { 2, tonumber(place) } end
local rank = redis.call('ZRANK', KEYS[3], ARGV[1])
if not rank then return { 0 } end
if redis.call('HGET', KEYS[1], 'opened') ~= '1' then return { 1 } end
return { 2, rank + 1 }
