-- The shared snapshot as an array, decoded in this order by decodeSnapshot (redis-queue-store.ts):
--   1 issuedUpTo, 2 servingUpTo, 3 prequeueSize, 4 opened (0/1), 5 paused (0/1),
--   6 pausedReason (nil when none), 7 closed (0/1), 8 admitted, 9 activeAdmissions,
--   10 rateMean, 11 rateVar, 12 targetRate (10–12 as strings: they are floats).
local function readSnapshot(stateKey, prequeueKey, activeKey, nowArg)
  local s = redis.call('HMGET', stateKey, 'opened', 'prequeueSize', 'fcfs', 'servingUpTo', 'paused',
    'pausedReason', 'closed', 'admitted', 'rateMean', 'rateVar', 'targetRate')
  local opened = s[1] == '1'
  local prequeueSize, issued
  if opened then
    prequeueSize = tonumber(s[2])
    issued = prequeueSize + (tonumber(s[3]) or 0)
  else
    -- Nobody has an FCFS place before the opening (an FCFS join performs the opening first).
    prequeueSize = redis.call('ZCARD', prequeueKey)
    issued = 0
  end
  return {
    issued, tonumber(s[4]) or 0, prequeueSize, opened and 1 or 0, s[5] == '1' and 1 or 0, s[6],
    s[7] == '1' and 1 or 0, tonumber(s[8]) or 0, redis.call('ZCOUNT', activeKey, '(' .. nowArg, '+inf'),
    s[9] or '0', s[10] or '0', s[11] or '0',
  }
end
