--[[
  Drops the events the sequencer has stored in the log: those numbered up to ARGV[2], when the
  state's epoch is still ARGV[1] (a restore in between started a new numbering: nothing is dropped).

  KEYS[1] state  hash (initializedAtMs)
  KEYS[2] log    list of "<seq> <event>"
  ARGV[1] the epoch the events were read in
  ARGV[2] the last event number stored
  Output: how many events were dropped
]]

if redis.call('HGET', KEYS[1], 'initializedAtMs') ~= ARGV[1] then return 0 end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then return 0 end
-- Events are numbered one by one as they are pushed: the list's numbers are consecutive.
local count = tonumber(ARGV[2]) - tonumber(string.match(head, '^%d+')) + 1
if count <= 0 then return 0 end
redis.call('LTRIM', KEYS[2], count, -1)
return count
