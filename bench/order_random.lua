-- POST /v1/orders for one unit of a random product among the 1,000 loaded.
local shopper = dofile("bench/shoppers.lua")
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")

request = function()
  local id = math.random(1, products)
  return wrk.format("POST", "/v1/orders", shopper(), '{"items":[{"product_id":' .. id .. ',"quantity":1}]}')
end
