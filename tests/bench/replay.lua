-- wrk script: replays the paths in $URLS (one per line) in order, each thread from its own offset,
-- with Accept-Encoding: gzip as browsers send it, and counts non-2xx/3xx responses as errors.
local paths = {}
local counter = 0
local errors = 0

function init(args)
  local file = assert(io.open(os.getenv("URLS"), "r"))
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
  counter = math.random(#paths)
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
