--[[
  Ends a person's admission early (booked, or left), so its room under the cap frees up.

  KEYS[1] admissions  hash person → admission id
  KEYS[2] active      sorted set person → admission expiry (ms)
  ARGV[1] person key
  Output: 1 when an admission was ended, 0 when the person held none
]]

redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
