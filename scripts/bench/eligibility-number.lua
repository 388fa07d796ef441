-- GET /api/v1/eligibility by employee number at a client, cycling through the
-- "client,number" lines of AXIS_MEMBER_NUMBERS_FILE, for today.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local today = os.date("!%Y-%m-%d")
local asked = {}
for line in io.lines(os.getenv("AXIS_MEMBER_NUMBERS_FILE")) do
  local client, number = line:match("([^,]+),(.+)")
  asked[#asked + 1] = "client=" .. client .. "&employee_number=" .. number
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/eligibility?" .. asked[(n % #asked) + 1] .. "&date=" .. today)
end
