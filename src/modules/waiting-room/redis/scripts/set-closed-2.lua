--[[
  Closes or reopens the queue (operator): while closed no new admission is issued and the queue
  does not advance; places and valid admissions are kept.

  KEYS[1] state  hash (closed)
  KEYS[2] log    list of events for the transparency log (includes/log-event.lua)
  ARGV[1] '1' to close, '0' to reopen
  ARGV[2] now (ms)
  ARGV[3] '1' to record the change for the transparency log
  Output: 1
]]
-- @include "require-initialized"
-- @include "log-event"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

if (redis.call('HGET', KEYS[1], 'closed') or '0') ~= ARGV[1] then
  logEvent(KEYS[1], KEYS[2], ARGV[3], (ARGV[1] == '1' and 'close ' or 'reopen ') .. ARGV[2])
end
redis.call('HSET', KEYS[1], 'closed', ARGV[1])
return 1
