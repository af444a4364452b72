-- Records an event for the queue's transparency log (src/modules/transparency/queue-sequencer.ts)
-- when the node asks for it (`logging` is '1'): numbered by the state hash's `logSeq` and pushed
-- onto the campaign's log list in the same script as the change it records, so the list's order
-- is the order the changes happened in. The sequencer drains the list into the stored log.
local function logEvent(stateKey, logKey, logging, event)
  if logging ~= '1' then return end
  local seq = redis.call('HINCRBY', stateKey, 'logSeq', 1)
  redis.call('RPUSH', logKey, seq .. ' ' .. event)
end
