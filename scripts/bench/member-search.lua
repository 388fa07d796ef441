-- GET the staff list filtered by a search term (name, e-mail, phone, employee number),
-- cycling through terms.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local terms = {"amina", "okello 17", "e-4242", "staff123@", "+256 700", "nakato", "grace achieng", "e-99"}
local n = 0
request = function()
  n = n + 1
  local term = terms[(n % #terms) + 1]:gsub(" ", "%%20"):gsub("%+", "%%2B")
  return wrk.format("GET", "/api/v1/staff?search=" .. term)
end
