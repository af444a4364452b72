#!lua flags=no-writes
--[[
  Whether a person is in line, without joining (a repeat join skips the eligibility checks).
  Read-only; one script so that the rounds opened and the rank are read at the same instant.

  KEYS[1] state     hash (rounds, base:<r>)
  KEYS[2] places    hash person → first-come place
  KEYS[3] prequeue  sorted set person → round × 2^40 + draw
  ARGV[1] person key
  Output: { 0 } not in line · { 1 } in the pre-queue of a round not opened yet · { 2, place } placed
]]
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local place = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if place and place > 0 then return { 2, place } end
-- A negative place is one given up (leave-7.lua): not in line.
if place then return { 0 } end
local drawn = prequeuePlace(KEYS[1], KEYS[3], ARGV[1])
if not drawn then return { 0 } end
if drawn == 0 then return { 1 } end
return { 2, drawn }
