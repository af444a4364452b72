--[[
  Reads the oldest events recorded for the campaign's transparency log, for the sequencer
  (src/modules/transparency/queue-sequencer.ts), with the state's epoch: `initializedAtMs`, which
  changes when Redis lost its data and the campaign was restored (its numbering starts again).

  KEYS[1] state  hash (initializedAtMs)
  KEYS[2] log    list of "<seq> <event>"
  ARGV[1] how many events at most
  Output: { epoch, events (oldest first) }, or the YEYAK_UNINITIALIZED error
]]
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

return { redis.call('HGET', KEYS[1], 'initializedAtMs'), redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1) }
