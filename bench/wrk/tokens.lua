-- One bearer token per request, never the same twice while a thread's slice lasts: bench/queue.ts
-- uses it to join the queue as distinct people (sessions), to repeat one person's join, and to
-- ask for admissions with tickets.
--
--   wrk -t T -c C -d 10s --latency -s bench/wrk/tokens.lua URL -- <tokens file> <T> [METHOD]
--
-- The file holds one token per line. Thread k (0-based) takes lines k+1, k+1+T, k+1+2T, …, so no
-- two threads share a token; the connections of a thread take its tokens in turn. A thread that
-- has sent its whole slice starts over and counts a wrap (for "new people" that means repeats).
-- Requests are formatted once in init(), so request() costs an index and a return.
-- done() prints `status <code> <count>` for every status code seen, `bench wraps <n>` and
-- `bench tokens <n>` (tokens loaded over all threads), which bench/lib/wrk.ts reads.

local tally = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "tally.lua")
setup = tally.setup
response = tally.response

function init(args)
  local file = args[1]
  local nthreads = tonumber(args[2])
  local method = args[3] or "POST"
  if file == nil or nthreads == nil then
    error("usage: -s tokens.lua URL -- <tokens file> <threads> [METHOD]")
  end
  requests = {}
  statuses = {}
  wraps = 0
  local index = 0
  for line in io.lines(file) do
    if line ~= "" then
      if index % nthreads == id then
        local headers = { ["Authorization"] = "Bearer " .. line, ["Host"] = wrk.headers["Host"] }
        -- An empty body, as browsers send it for a POST without one: Content-Length: 0.
        requests[#requests + 1] = wrk.format(method, wrk.path, headers, method == "GET" and nil or "")
      end
      index = index + 1
    end
  end
  count = #requests
  if count == 0 then
    error("thread " .. id .. " got no tokens from " .. file)
  end
  position = 0
end

function request()
  position = position + 1
  if position > count then
    position = 1
    wraps = wraps + 1
  end
  return requests[position]
end

function done(summary, latency, requests)
  tally.print_statuses()
  io.write(string.format("bench wraps %d\n", tally.sum("wraps")))
  io.write(string.format("bench tokens %d\n", tally.sum("count")))
end
