-- GET the first page of the staff list (by name), as the admin: each request also writes its
-- `staff.read` audit record.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.path = "/api/v1/staff"
