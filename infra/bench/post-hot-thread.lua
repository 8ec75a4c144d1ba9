-- wrk script: every connection posts to the same thread, as at a live event, with $TOKEN's session.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.path = "/api/v1/tenants/demo/threads/hot/comments"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"text":"hot thread comment ' .. counter .. '"}')
end
