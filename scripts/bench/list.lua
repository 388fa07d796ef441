-- GET the first page of the client list.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.path = "/api/v1/clients"
