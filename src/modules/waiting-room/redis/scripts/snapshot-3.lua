#!lua flags=no-writes
--[[
  The campaign's queue snapshot in one round trip. Read-only (expired admissions are not
  trimmed here, only not counted).

  KEYS[1] state     hash
  KEYS[2] prequeue  sorted set person → round × 2^40 + draw (members of rounds not opened yet counted)
  KEYS[3] active    sorted set person → admission expiry (ms)
  ARGV[1] now (ms)
  Output: the snapshot array (includes/snapshot.lua)
]]
-- @include "rounds"
-- @include "snapshot"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

return readSnapshot(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
