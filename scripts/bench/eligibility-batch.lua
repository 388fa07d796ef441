-- POST /api/v1/eligibility/batch: 500 staff members a request (by id), the next 500 of the
-- ids in AXIS_MEMBER_IDS_FILE each time, for today (one read record a batch).
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local today = os.date("!%Y-%m-%d")
local ids = {}
for line in io.lines(os.getenv("AXIS_MEMBER_IDS_FILE")) do ids[#ids + 1] = line end
local bodies = {}
for first = 0, 1 do
  local people = {}
  for i = 1, 500 do
    people[#people + 1] = '{"person":"' .. ids[((first * 500 + i - 1) % #ids) + 1] .. '"}'
  end
  bodies[#bodies + 1] = '{"date":"' .. today .. '","people":[' .. table.concat(people, ",") .. ']}'
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/eligibility/batch", nil, bodies[(n % #bodies) + 1])
end
