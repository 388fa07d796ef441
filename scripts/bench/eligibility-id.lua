-- GET /api/v1/eligibility by id, cycling through the staff ids in AXIS_MEMBER_IDS_FILE, for
-- today (every answer writes its read record).
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local today = os.date("!%Y-%m-%d")
local ids = {}
for line in io.lines(os.getenv("AXIS_MEMBER_IDS_FILE")) do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/eligibility?person=" .. ids[(n % #ids) + 1] .. "&date=" .. today)
end
