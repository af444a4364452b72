--[[
  Pauses or resumes the queue's advancement (operator). Places are kept; the reason is shown
  while paused and cleared on resuming.

  KEYS[1] state  hash (paused, pausedReason)
  KEYS[2] log    list of events for the transparency log (includes/log-event.lua)
  ARGV[1] '1' to pause, '0' to resume
  ARGV[2] '1' when a reason is given, else '0'
  ARGV[3] the reason (when given)
  ARGV[4] now (ms)
  ARGV[5] '1' to record the change for the transparency log
  Output: 1
]]
-- @include "require-initialized"
-- @include "log-event"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

if (redis.call('HGET', KEYS[1], 'paused') or '0') ~= ARGV[1] then
  logEvent(KEYS[1], KEYS[2], ARGV[5], (ARGV[1] == '1' and 'pause ' or 'resume ') .. ARGV[4])
end
if ARGV[1] == '1' and ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'paused', '1', 'pausedReason', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'paused', ARGV[1])
  redis.call('HDEL', KEYS[1], 'pausedReason')
end
return 1
