-- bench/wrk/lanes.lua — wrk requests for `make bench`: every request carries the
-- header the entry's TrafficLabelRule looks at, alternating a lane request
-- (location: cn-shenzhen -> gray) and a base one (location: cn-beijing), so
-- every request is labelled and steered and both lanes are served.
--
--   wrk -t1 -cCONNS ... -s lanes.lua URL -- keepalive|close [RATE [LANES]]
--
-- LANES:  "both" (the default) or "base": only base requests (cn-beijing),
--         for comparing parts of the agent that cannot label.
-- close:  every request says "Connection: close" (wrk reconnects each time).
-- RATE:   requests per second over all connections, 0 or absent: as
--         fast as the connections go (closed loop). Paced with delay() on a
--         schedule of one request every 1/RATE s (clock_gettime through
--         LuaJIT's FFI): each request takes the next slot, and a connection
--         whose slot has passed sends at once (at most one slot of backlog is
--         kept, so a stall is not followed by a burst). wrk's timers have
--         1 ms resolution, so requests leave in groups of about RATE/1000 per
--         millisecond. The achieved rate is reported, not assumed.
-- done() prints one line "BENCH_JSON {...}" with the counts, errors and
-- latency percentiles in microseconds.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e3 + tonumber(ts.tv_nsec) / 1e6
end

local reqs = {}
local n = 0

function init(args)
  local close = args[1] == "close"
  local rate = tonumber(args[2] or "0") or 0
  local lanes = { "cn-shenzhen", "cn-beijing" }
  if args[3] == "base" then lanes = { "cn-beijing", "cn-beijing" } end
  for i, loc in ipairs(lanes) do
    local h = { ["location"] = loc }
    if close then h["Connection"] = "close" end
    reqs[i] = wrk.format("GET", wrk.path, h)
  end
  if rate > 0 then
    local gap = 1000.0 / rate
    local slot = now_ms()
    delay = function()
      local t = now_ms()
      slot = math.max(slot + gap, t - gap)
      local d = slot - t
      if d <= 0 then return 0 end
      return math.floor(d + 0.5)
    end
  end
end

function request()
  n = n % 2 + 1
  return reqs[n]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
