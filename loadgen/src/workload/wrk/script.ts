// The Lua script wrk runs. Each wrk thread loads its own prebuilt requests (t<N>.idx: one length
// per line; t<N>.bin: the requests back to back) and cycles through them. No response() hook:
// defining one makes wrk copy every response body into Lua (measured: a third of its rate at
// 4 KiB, two thirds at 1 MiB), so status is counted in wrk's own classes (below 400 or not).
// done() prints one line: the marker, then JSON.
export const RESULT_MARKER = 'SPEEDLAB-WRK ';

export const WRK_SCRIPT = `
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1]
  local idx = assert(io.open(dir .. "/t" .. tid .. ".idx", "rb"))
  local lens = {}
  for line in idx:lines() do lens[#lens + 1] = tonumber(line) end
  idx:close()
  local bin = assert(io.open(dir .. "/t" .. tid .. ".bin", "rb"))
  local all = bin:read("*a")
  bin:close()
  reqs = {}
  local pos = 1
  for i = 1, #lens do
    reqs[i] = all:sub(pos, pos + lens[i] - 1)
    pos = pos + lens[i]
  end
  assert(pos == #all + 1, "request file " .. tid .. " does not match its index")
  sizes = lens
  count = #reqs
  at = 0
  sent = 0
end

function request()
  at = at + 1
  if at > count then at = 1 end
  sent = sent + sizes[at]
  return reqs[at]
end

function done(summary, latency, requests)
  local sent_total = 0
  for _, t in ipairs(threads) do sent_total = sent_total + t:get("sent") end
  local e = summary.errors
  io.write(string.format(
    '${RESULT_MARKER}{"requests":%.0f,"durationUs":%.0f,"bytesReceived":%.0f,"bytesSent":%.0f,' ..
    '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,' ..
    '"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f,"mean":%.0f}\\n',
    summary.requests, summary.duration, summary.bytes, sent_total,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
`;
