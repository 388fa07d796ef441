-- GET the first page of the contract list.
local token = os.getenv("AXIS_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.path = "/api/v1/contracts"
