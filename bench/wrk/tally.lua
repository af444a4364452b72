-- What bench/wrk/*.lua share: numbering wrk's threads (`id` in each) and tallying the status codes
-- each thread saw, printed by done() as `status <code> <count>` lines that bench/lib/wrk.ts reads.
-- A script loads it with dofile() from its own directory and sets setup = tally.setup and
-- response = tally.response.

local tally = { threads = {} }
local next_id = 0

function tally.setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(tally.threads, thread)
end

function tally.response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- The sum over all threads of a number each thread kept in the global `name`.
function tally.sum(name)
  local total = 0
  for _, thread in ipairs(tally.threads) do
    total = total + (thread:get(name) or 0)
  end
  return total
end

function tally.print_statuses()
  local totals = {}
  for _, thread in ipairs(tally.threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  for status, n in pairs(totals) do
    io.write(string.format("status %d %d\n", status, n))
  end
end

return tally
