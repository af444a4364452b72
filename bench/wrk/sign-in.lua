-- A new person on every request: POST /api/v1/identity/dev with a name, birth date and phone no
-- other request of the run has, from an address of its own (X-Forwarded-For, for an app that
-- trusts the bench's 127.0.0.1 as its balancer, so the per-address limit stays at its default).
--
--   wrk -t T -c C -d 10s --latency -s bench/wrk/sign-in.lua URL -- <run tag>
--
-- Thread k numbers its people k, k+T, k+2T, …; the run tag (0–99) keeps two runs on one app apart.
-- done() prints `status <code> <count>` for every status code seen, which bench/lib/wrk.ts reads.

local tally = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "tally.lua")
setup = tally.setup
response = tally.response

function init(args)
  if id >= 4 then
    error("sign-in.lua numbers people for up to 4 wrk threads")
  end
  tag = tonumber(args[1] or "0")
  statuses = {}
  counter = 0
  headers = { ["Content-Type"] = "application/json", ["Host"] = wrk.headers["Host"] }
end

function request()
  local n = counter * 4 + id -- up to 4 threads
  counter = counter + 1
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tag, math.floor(n / 256) % 256, n % 256)
  local body = string.format('{"name":"사전예약%d","birthDate":"1970-01-01","phone":"010-%02d%02d-%04d"}', n, tag, math.floor(n / 10000) % 100, n % 10000)
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, requests)
  tally.print_statuses()
end
