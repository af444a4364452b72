--[[
  Ends a person's admission early because they booked, so its room under the cap frees up. The
  admissions hash keeps a mark ("!booked") in its place: a later admission for the person (another
  device reaching its turn, a change of booking) is issued outside the cap (see admit).

  KEYS[1] admissions  hash person → admission id, or "!booked"
  KEYS[2] active      sorted set person → admission expiry (ms)
  ARGV[1] person key
  Output: 1 when an admission was ended, 0 when the person held none
]]

redis.call('HSET', KEYS[1], ARGV[1], '!booked')
return redis.call('ZREM', KEYS[2], ARGV[1])
