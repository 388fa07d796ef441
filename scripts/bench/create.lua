-- POST new clients with unique names and e-mails.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local n = 0
local salt = tostring(os.time()) .. tostring(math.random(1000000))
setup = function(thread)
  thread:set("prefix", salt .. "-" .. tostring(math.random(1000000)))
end
request = function()
  n = n + 1
  local name = "Bench " .. prefix .. " " .. n
  local body = '{"name":"' .. name .. '","email":"bench-' .. prefix .. '-' .. n .. '@example.com","phone":"+256 700 000000"}'
  return wrk.format("POST", "/api/v1/clients", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
