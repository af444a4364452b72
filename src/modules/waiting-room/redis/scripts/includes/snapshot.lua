-- The shared snapshot as an array, decoded in this order by decodeSnapshot (redis-queue-store.ts):
--   1 issuedUpTo, 2 servingUpTo, 3 prequeueSize (members of rounds not opened yet), 4 opened (0/1:
--   round 0 opened), 5 paused (0/1), 6 pausedReason (nil when none), 7 closed (0/1), 8 admitted,
--   9 activeAdmissions, 10 rateMean, 11 rateVar, 12 targetRate (10–12 as strings: they are
--   floats), 13 openedRounds, 14 abandoned (places given up so far). Needs includes/rounds.lua before it.
local function readSnapshot(stateKey, prequeueKey, activeKey, nowArg)
  local s = redis.call('HMGET', stateKey, 'rounds', 'issued', 'servingUpTo', 'paused', 'pausedReason',
    'closed', 'admitted', 'rateMean', 'rateVar', 'targetRate', 'abandoned')
  local rounds = tonumber(s[1]) or 0
  return {
    tonumber(s[2]) or 0, tonumber(s[3]) or 0, redis.call('ZCOUNT', prequeueKey, scoreArg(rounds * ROUND_SPAN), '+inf'),
    rounds > 0 and 1 or 0, s[4] == '1' and 1 or 0, s[5], s[6] == '1' and 1 or 0, tonumber(s[7]) or 0,
    redis.call('ZCOUNT', activeKey, '(' .. nowArg, '+inf'), s[8] or '0', s[9] or '0', s[10] or '0', rounds,
    tonumber(s[11]) or 0,
  }
end
