-- POST /v1/orders for one unit each of two different random products, in random line order:
-- the several-line placing statement over HTTP.
local shopper = dofile("bench/shoppers.lua")
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")

request = function()
  local a = math.random(2, products)
  local b = math.random(2, products - 1)
  if b >= a then b = b + 1 end
  local body = '{"items":[{"product_id":' .. a .. ',"quantity":1},{"product_id":' .. b .. ',"quantity":1}]}'
  return wrk.format("POST", "/v1/orders", shopper(), body)
end
