--[[
  Closes or reopens the queue (operator): while closed no new admission is issued and the queue
  does not advance; places and valid admissions are kept.

  KEYS[1] state  hash (closed)
  ARGV[1] '1' to close, '0' to reopen
  Output: 1
]]
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

redis.call('HSET', KEYS[1], 'closed', ARGV[1])
return 1
