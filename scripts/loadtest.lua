-- wrk script for scripts/loadtest.py: POST the R2 documents (separated by NUL bytes in the file named by
-- LOADTEST_BODIES) to /v1/clean in turn; with LOADTEST_INTERVAL_MS each connection waits that long between
-- requests (a paced, partial load).
local bodies = {}
local index = 0
local interval = tonumber(os.getenv("LOADTEST_INTERVAL_MS") or "0")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end

function init(args)
  local file = assert(io.open(os.getenv("LOADTEST_BODIES"), "rb"))
  local data = file:read("*a")
  file:close()
  for doc in string.gmatch(data, "([^%z]+)") do
    bodies[#bodies + 1] = doc
  end
  index = (offset or 0) % #bodies
  wrk.headers["Content-Type"] = "text/plain; charset=utf-8"
end

function request()
  index = index % #bodies + 1
  return wrk.format("POST", "/v1/clean", nil, bodies[index])
end

function delay()
  return interval
end
