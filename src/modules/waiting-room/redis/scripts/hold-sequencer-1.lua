--[[
  Takes or renews the lease of the campaign's log sequencer: one node at a time writes the log.
  The holder renews it every refresh; if it stops, another node takes over once the lease runs out.

  KEYS[1] sequencer  string: the holder's id, with a time limit
  ARGV[1] this node's id
  ARGV[2] the lease's length (ms)
  Output: 1 when this node holds the lease, 0 when another one does
]]

local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
