-- Rounds (prequeue-draw.ts): every pre-queue member of every round is in one sorted set, scored
-- round × 2^40 + a secret draw, exact as a double. Rounds open in order: the state hash keeps
-- `rounds` (how many opened), `issued` (places handed out) and `base:<r>` (places issued when
-- round r opened); a member of an opened round holds base + their rank within the round + 1.
local ROUND_SPAN = 1099511627776

-- A score as Redis reads it back exactly (tostring keeps 14 digits, scores need 16).
local function scoreArg(x)
  return string.format('%.17g', x)
end

-- Opens every round up to `through` not opened yet, in order (idempotent); returns each round it
-- opened as { round, base, size } (empty when they had all opened).
local function openRounds(stateKey, prequeueKey, through)
  local opened = tonumber(redis.call('HGET', stateKey, 'rounds') or 0)
  if opened > through then return {} end
  local issued = tonumber(redis.call('HGET', stateKey, 'issued') or 0)
  local done = {}
  for round = opened, through do
    local size = redis.call('ZCOUNT', prequeueKey, scoreArg(round * ROUND_SPAN), '(' .. scoreArg((round + 1) * ROUND_SPAN))
    redis.call('HSET', stateKey, 'base:' .. round, issued)
    done[#done + 1] = { round, issued, size }
    issued = issued + size
  end
  redis.call('HSET', stateKey, 'issued', issued, 'rounds', through + 1)
  return done
end

-- Logs each round `openRounds` opened: `open <round> <time> <base> <size>` (includes/log-event.lua).
local function logOpenings(stateKey, logKey, logging, nowArg, opened)
  for _, o in ipairs(opened) do
    logEvent(stateKey, logKey, logging, 'open ' .. o[1] .. ' ' .. nowArg .. ' ' .. o[2] .. ' ' .. o[3])
  end
end

-- A pre-queue member's place: false when not a member, 0 while their round has not opened, else
-- their round's base + their rank within it + 1 (ZRANK breaks equal draws by member: a total order).
local function prequeuePlace(stateKey, prequeueKey, person)
  local score = redis.call('ZSCORE', prequeueKey, person)
  if not score then return false end
  local round = math.floor(tonumber(score) / ROUND_SPAN)
  if round >= tonumber(redis.call('HGET', stateKey, 'rounds') or 0) then return 0 end
  local earlier = redis.call('ZCOUNT', prequeueKey, '-inf', '(' .. scoreArg(round * ROUND_SPAN))
  return tonumber(redis.call('HGET', stateKey, 'base:' .. round)) + redis.call('ZRANK', prequeueKey, person) - earlier + 1
end
