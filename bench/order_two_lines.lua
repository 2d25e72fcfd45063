-- POST /v1/orders for one unit each of two different random products, in random line order:
-- the several-line placing statement over HTTP.
local token = os.getenv("STOCKROOM_BENCH_TOKEN")
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  local a = math.random(2, products)
  local b = math.random(2, products - 1)
  if b >= a then b = b + 1 end
  local body = '{"items":[{"product_id":' .. a .. ',"quantity":1},{"product_id":' .. b .. ',"quantity":1}]}'
  return wrk.format(nil, "/v1/orders", nil, body)
end
