--[[
  Performs the openings of a campaign's queue up to a round, in order: each round not opened yet
  is frozen, its members get the places after every place issued so far in the order of their
  draws (base + rank within the round + 1), and its base is recorded. Idempotent.

  KEYS[1] state     hash (rounds, issued, base:<r>)
  KEYS[2] prequeue  sorted set person → round × 2^40 + draw
  KEYS[3] log       list of events for the transparency log (includes/log-event.lua)
  ARGV[1] the last round to open
  ARGV[2] now (ms)
  ARGV[3] '1' to record the change for the transparency log
  Output: how many rounds this call opened (0 when they all had opened already)
]]
-- @include "log-event"
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local opened = openRounds(KEYS[1], KEYS[2], tonumber(ARGV[1]))
logOpenings(KEYS[1], KEYS[3], ARGV[3], ARGV[2], opened)
return #opened
