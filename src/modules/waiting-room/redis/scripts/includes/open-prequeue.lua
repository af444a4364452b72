-- The opening (idempotent): the pre-queue is frozen, each member's place is from now on its rank
-- by draw + 1, and its size is recorded so that FCFS places start right after it.
local function openPrequeue(stateKey, prequeueKey)
  if redis.call('HGET', stateKey, 'opened') == '1' then return 0 end
  redis.call('HSET', stateKey, 'opened', '1', 'prequeueSize', redis.call('ZCARD', prequeueKey))
  return 1
end
