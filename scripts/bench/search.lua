-- GET the client list filtered by a search term, cycling through terms.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local terms = {"acme", "bank", "clinic", "okello", "client42", "telecom", "falcon", "atim", "ivory foods", "+256 70"}
local n = 0
request = function()
  n = n + 1
  local term = terms[(n % #terms) + 1]:gsub(" ", "%%20"):gsub("%+", "%%2B")
  return wrk.format("GET", "/api/v1/clients?search=" .. term)
end
