--[[
  Advances servingUpTo by the time elapsed since the last tick of any node, at the policy's rate:
  rate × elapsed + carry, floored, bounded by the places issued and by the free room under the
  cap on active admissions, the carry dropped when the step is cut short (exactly
  domain/admission-rate.ts advanceServing), then records the measured rate (EWMA, alpha 0.2, as
  memory-queue-store.ts does) unless the queue's end limited the step (starved). The last tick's time is kept here, so N nodes ticking every 250 ms
  advance the queue at the rate, not at N times it; a node whose clock lags behind the last tick
  advances nothing and does not move the last tick back — unless the last tick is more than
  FUTURE_TICK_FORGET_MS ahead: then it was stamped by a clock that was wrong (a node hours ahead,
  before its clock check refused it), and is forgotten, or it would hold the queue until every
  other clock caught up. Paused, closed or not yet opened: the clock still moves, the queue does
  not (no burst on resuming).

  KEYS[1] state       hash (lastTickMs, rounds, paused, closed, issued, servingUpTo, carry,
                      rateMean, rateVar, rateSamples, targetRate, base:<r>)
  KEYS[2] prequeue    sorted set person → round × 2^40 + draw (for the snapshot)
  KEYS[3] admissions  hash person → admission id (expired ones trimmed)
  KEYS[4] active      sorted set person → admission expiry (ms)
  KEYS[5] log         list of events for the transparency log (includes/log-event.lua)
  KEYS[6] places      hash person → first-come place (the place of an expired admission, for the log)
  KEYS[7] abandoned   sorted set of the positions given up (leave-7.lua): passed at no cost to the
                      rate, within a step and right after it (as advanceServing with AbandonedPlaces)
  ARGV[1] now (ms)
  ARGV[2] rate (places per second; 0 holds the queue: nothing served, the carry kept, no rate learnt)
  ARGV[3] cap on active admissions
  ARGV[4] how many expired admissions to trim at most
  ARGV[5] '1' to record the change for the transparency log
  Output: the snapshot array after the tick (includes/snapshot.lua), then as element 15 the
          bases of the opened rounds (for the node's journal checkpoint)
]]
-- @include "format"
-- @include "log-event"
-- @include "rounds"
-- @include "trim-admissions"
-- @include "log-expired"
-- @include "snapshot"
-- @include "require-initialized"

if uninitialized(KEYS[1]) then return redis.error_reply('YEYAK_UNINITIALIZED') end

local ALPHA = 0.2
-- Nodes' clocks each agree with the database's within 3 s (YEYAK_MAX_CLOCK_SKEW_MS), so within 6 s
-- of each other; a last tick further ahead than this came from a wrong clock.
local FUTURE_TICK_FORGET_MS = 10000
local stateKey = KEYS[1]
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local maxActive = tonumber(ARGV[3])

logExpired(stateKey, KEYS[6], KEYS[2], KEYS[5], ARGV[5], trimAdmissions(KEYS[3], KEYS[4], ARGV[1], ARGV[4]))
local s = redis.call('HMGET', stateKey, 'lastTickMs', 'rounds', 'paused', 'closed', 'issued',
  'servingUpTo', 'carry', 'rateMean', 'rateVar', 'rateSamples')
redis.call('HSET', stateKey, 'targetRate', num(rate))

local last = tonumber(s[1])
if last and last - now > FUTURE_TICK_FORGET_MS then last = nil end
local elapsed = 0
if last then elapsed = math.max(0, (now - last) / 1000) end
if last == nil or now > last then redis.call('HSET', stateKey, 'lastTickMs', ARGV[1]) end

-- The snapshot, with the opened rounds' bases for the journal's checkpoint.
local function snapshotWithBases()
  local snapshot = readSnapshot(stateKey, KEYS[2], KEYS[4], ARGV[1])
  local fields = {}
  for round = 0, snapshot[13] - 1 do fields[#fields + 1] = 'base:' .. round end
  snapshot[15] = #fields > 0 and redis.call('HMGET', stateKey, unpack(fields)) or {}
  return snapshot
end

if elapsed > 0 and (tonumber(s[2]) or 0) > 0 and s[3] ~= '1' and s[4] ~= '1' then
  local serving = tonumber(s[6]) or 0
  local issued = tonumber(s[5]) or 0
  local carry = tonumber(s[7]) or 0
  local active = redis.call('ZCOUNT', KEYS[4], '(' .. ARGV[1], '+inf')

  -- Abandoned positions in (after, upTo].
  local function abandonedBetween(after, upTo)
    if upTo <= after then return 0 end
    return redis.call('ZCOUNT', KEYS[7], '(' .. string.format('%d', after), string.format('%d', upTo))
  end
  -- Past every abandoned position right after `at` (a held queue, rate 0, passes none).
  local function passAbandoned(at)
    if rate <= 0 then return at end
    while at < issued and redis.call('ZSCORE', KEYS[7], string.format('%d', at + 1)) do at = at + 1 end
    return at
  end

  local headroom = math.max(0, maxActive - active)
  -- People waiting, not places: the rate, the cap and the queue's end count people.
  local waiting = math.max(0, issued - serving - abandonedBetween(serving, issued))
  local nextServing, nextCarry = serving, carry
  local starved = waiting == 0
  if waiting == 0 or headroom == 0 then
    if waiting == 0 then nextCarry = 0 end
    nextServing = passAbandoned(serving)
  else
    local budget = carry + math.max(0, rate) * math.max(0, elapsed)
    local whole = math.floor(budget)
    local step = math.min(whole, waiting, headroom)
    -- `step` people past serving: abandoned positions in between are not counted.
    local to = serving + step
    while true do
      local further = serving + step + abandonedBetween(serving, to)
      if further == to then break end
      to = further
    end
    nextServing = passAbandoned(to)
    -- A step cut short by the cap or the queue's end drops its remainder: no burst after a stall.
    if step == whole then nextCarry = budget - whole else nextCarry = 0 end
    starved = step < whole and step == waiting
  end

  -- Served up to the queue's end: that says nothing of the rate, so the estimate does not learn it;
  -- nor does a rate of 0 (the queue held while sold out: like a pause).
  if nextServing > serving then logEvent(stateKey, KEYS[5], ARGV[5], 'serve ' .. nextServing .. ' ' .. ARGV[1]) end
  if starved or rate <= 0 then
    redis.call('HSET', stateKey, 'servingUpTo', num(nextServing), 'carry', num(nextCarry))
    return snapshotWithBases()
  end
  local measured = (nextServing - serving) / elapsed
  local mean = tonumber(s[8]) or 0
  local variance = tonumber(s[9]) or 0
  local samples = tonumber(s[10]) or 0
  if samples == 0 then
    mean = measured
  else
    local delta = measured - mean
    mean = mean + ALPHA * delta
    variance = (1 - ALPHA) * (variance + ALPHA * delta * delta)
  end
  redis.call('HSET', stateKey, 'servingUpTo', num(nextServing), 'carry', num(nextCarry),
    'rateMean', num(mean), 'rateVar', num(variance), 'rateSamples', samples + 1)
end

return snapshotWithBases()
