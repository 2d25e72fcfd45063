-- POST /v1/orders, every request for one unit of the same hot product (id 1).
local token = os.getenv("STOCKROOM_BENCH_TOKEN")
wrk.method = "POST"
wrk.path = "/v1/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"items":[{"product_id":1,"quantity":1}]}'
