-- Forgets up to `limit` admissions that expired at or before `nowArg`, so that the admission keys
-- do not grow with everyone ever admitted. Bounded so one call stays short; correctness never
-- depends on it: active admissions are always counted as ZCOUNT over (now, +inf).
local function trimAdmissions(admissionsKey, activeKey, nowArg, limit)
  local expired = redis.call('ZRANGEBYSCORE', activeKey, '-inf', nowArg, 'LIMIT', 0, limit)
  if #expired > 0 then
    redis.call('ZREM', activeKey, unpack(expired))
    redis.call('HDEL', admissionsKey, unpack(expired))
  end
end
