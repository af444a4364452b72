--[[
  Admits a person whose place has been reached. While the person's admission is valid, asking
  again returns the same one; otherwise a new one is issued only when the queue is not closed and
  the place is at or before servingUpTo. Counts every admission issued.

  KEYS[1] state       hash (closed, servingUpTo, admitted)
  KEYS[2] admissions  hash person → admission id, or "!booked" once an admission ended in a booking
  KEYS[3] active      sorted set person → admission expiry (ms)
  KEYS[4] log         list of events for the transparency log (includes/log-event.lua)
  KEYS[5] places      hash person → first-come place (the place of an expired admission, for the log)
  KEYS[6] prequeue    sorted set person → round × 2^40 + draw (the same, for a pre-queue member)
  KEYS[7] abandoned   sorted set of the positions given up (never admitted)
  ARGV[1] person key
  ARGV[2] the person's place
  ARGV[3] now (ms)
  ARGV[4] time to live (ms)
  ARGV[5] the id of a new admission (random, from Node)
  ARGV[6] how many expired admissions to trim at most
  ARGV[7] '1' to record the change for the transparency log
  Output: { admission id, expiry (ms, as a string), created (1 new, 0 the same as before, 2 new
          but outside the cap: the person's admission already ended in a booking) },
          or nil when refused (place not reached yet, given up, or queue closed)
]]
-- @include "format"
-- @include "log-event"
-- @include "rounds"
-- @include "trim-admissions"
-- @include "log-expired"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local person = ARGV[1]
local now = tonumber(ARGV[3])
logExpired(KEYS[1], KEYS[5], KEYS[6], KEYS[4], ARGV[7], trimAdmissions(KEYS[2], KEYS[3], ARGV[3], ARGV[6]))

local expiry = tonumber(redis.call('ZSCORE', KEYS[3], person))
if expiry and expiry > now then
  return { redis.call('HGET', KEYS[2], person), num(expiry), 0 }
end

local s = redis.call('HMGET', KEYS[1], 'closed', 'servingUpTo')
if s[1] == '1' or tonumber(ARGV[2]) > (tonumber(s[2]) or 0) then return false end
if redis.call('ZSCORE', KEYS[7], ARGV[2]) then return false end
if redis.call('HGET', KEYS[2], person) == '!booked' then
  -- Not logged: the person's admission that ended in their booking was, and this one is asked
  -- for anew on each request.
  return { ARGV[5], num(now + tonumber(ARGV[4])), 2 }
end

expiry = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[2], person, ARGV[5])
redis.call('ZADD', KEYS[3], num(expiry), person)
redis.call('HINCRBY', KEYS[1], 'admitted', 1)
logEvent(KEYS[1], KEYS[4], ARGV[7], 'admit ' .. ARGV[2] .. ' ' .. ARGV[3])
return { ARGV[5], num(expiry), 1 }
