--[[
  Initializes a campaign's state: for a new campaign, empty counters; after Redis lost its data,
  the counters restored from the journal (the places and admissions were written just before).
  Fields already present are kept (HSETNX), so state from before `initializedAtMs` existed is
  never moved back. A no-op once initialized.

  KEYS[1] state  hash
  ARGV    field, value, field, value … (initializedAtMs last)
  Output: 1 when it initialized, 0 when the state was already initialized
]]

if redis.call('HEXISTS', KEYS[1], 'initializedAtMs') == 1 then return 0 end
for i = 1, #ARGV, 2 do
  redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
