-- A campaign's state exists only once it has been initialized — set up for a new campaign, or
-- restored from the journal after Redis lost its data (redis-queue-store.ts `initialize`). Until
-- then scripts refuse, so a counter restarted from zero can never hand out a place twice. A state
-- written before rounds existed (it has `opened`) is refused too: it is set up again from the
-- journal, which reads the earlier format.
local function uninitialized(stateKey)
  return redis.call('HEXISTS', stateKey, 'initializedAtMs') == 0 or redis.call('HEXISTS', stateKey, 'opened') == 1
end
