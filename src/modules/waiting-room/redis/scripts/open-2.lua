--[[
  Performs the opening of a campaign's queue: the pre-queue is frozen, its members get places
  1..N in the order of their draws (rank + 1), and N is recorded. Idempotent.

  KEYS[1] state     hash (opened, prequeueSize)
  KEYS[2] prequeue  sorted set person → draw
  Output: 1 when this call performed the opening, 0 when it had happened already
]]
-- @include "open-prequeue"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

return openPrequeue(KEYS[1], KEYS[2])
