-- Logs each admission `trimAdmissions` found expired unused as `skip <place> <expiry> expired`
-- (includes/log-event.lua); needs includes/rounds.lua for a pre-queue member's place.
local function logExpired(stateKey, placesKey, prequeueKey, logKey, logging, expired)
  if logging ~= '1' then return end
  for _, e in ipairs(expired) do
    local place = tonumber(redis.call('HGET', placesKey, e[1]))
    if not place then place = prequeuePlace(stateKey, prequeueKey, e[1]) end
    if place and place > 0 then logEvent(stateKey, logKey, logging, 'skip ' .. place .. ' ' .. e[2] .. ' expired') end
  end
end
