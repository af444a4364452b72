--[[
  Performs the openings of a campaign's queue up to a round, in order: each round not opened yet
  is frozen, its members get the places after every place issued so far in the order of their
  draws (base + rank within the round + 1), and its base is recorded. Idempotent.

  KEYS[1] state     hash (rounds, issued, base:<r>)
  KEYS[2] prequeue  sorted set person → round × 2^40 + draw
  ARGV[1] the last round to open
  Output: how many rounds this call opened (0 when they all had opened already)
]]
-- @include "rounds"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

return openRounds(KEYS[1], KEYS[2], tonumber(ARGV[1]))
