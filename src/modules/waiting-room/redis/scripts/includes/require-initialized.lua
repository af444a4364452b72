-- A campaign's state exists only once it has been initialized — set up for a new campaign, or
-- restored from the journal after Redis lost its data (redis-queue-store.ts `initialize`). Until
-- then scripts refuse, so a counter restarted from zero can never hand out a place twice.
local function uninitialized(stateKey)
  return redis.call('HEXISTS', stateKey, 'initializedAtMs') == 0
end
