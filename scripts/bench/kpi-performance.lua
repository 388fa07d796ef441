-- GET an assignment's performance (100 measured periods each), cycling through the ids in
-- AXIS_KPI_ASSIGNMENTS_FILE.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local ids = {}
for line in io.lines(os.getenv("AXIS_KPI_ASSIGNMENTS_FILE")) do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/kpi-assignments/" .. ids[(n % #ids) + 1] .. "/performance")
end
