-- Forgets up to `limit` admissions that expired at or before `nowArg`, so that the admission keys
-- do not grow with everyone ever admitted. Bounded so one call stays short; correctness never
-- depends on it: active admissions are always counted as ZCOUNT over (now, +inf). Returns the
-- expired ones as { person, expiry (ms, a string) } (an admission that ended in a booking left
-- `active` then, so each of these expired unused).
local function trimAdmissions(admissionsKey, activeKey, nowArg, limit)
  local found = redis.call('ZRANGEBYSCORE', activeKey, '-inf', nowArg, 'WITHSCORES', 'LIMIT', 0, limit)
  local expired = {}
  for i = 1, #found, 2 do expired[#expired + 1] = { found[i], string.format('%d', tonumber(found[i + 1])) } end
  if #expired > 0 then
    local people = {}
    for i, e in ipairs(expired) do people[i] = e[1] end
    redis.call('ZREM', activeKey, unpack(people))
    redis.call('HDEL', admissionsKey, unpack(people))
  end
  return expired
end
