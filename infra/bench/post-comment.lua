-- wrk script: POST a comment, spread over 100 threads, with the session token from $TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local path = "/api/v1/tenants/demo/threads/bench-" .. (counter % 100) .. "/comments"
  return wrk.format(nil, path, nil, '{"text":"benchmark comment ' .. counter .. '"}')
end
