--[[
  Extends a person's valid admission to at least now + ttl (never shortens it).

  KEYS[1] active  sorted set person → admission expiry (ms)
  ARGV[1] person key
  ARGV[2] now (ms)
  ARGV[3] time to live (ms)
  Output: the new expiry (ms, as a string), or nil when the person holds no valid admission
]]
-- @include "format"

local now = tonumber(ARGV[2])
local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if not expiry or expiry <= now then return false end
expiry = math.max(expiry, now + tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], 'XX', num(expiry), ARGV[1])
return num(expiry)
