-- POST /v1/orders for one unit each of one to three distinct random products, drawn as
-- bench/floor_mix.sql draws them (its pgbench floor): the shop's usual basket, over HTTP.
local shopper = dofile("bench/shoppers.lua")
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")
local third = math.floor(products / 3)

request = function()
  local a = math.random(1, products)
  local b = 1 + (a - 1 + math.random(1, third)) % products
  local c = 1 + (b - 1 + math.random(1, third)) % products
  local ids = { a, b, c }
  local lines = {}
  for i = 1, math.random(1, 3) do
    lines[i] = '{"product_id":' .. ids[i] .. ',"quantity":1}'
  end
  return wrk.format("POST", "/v1/orders", shopper(), '{"items":[' .. table.concat(lines, ",") .. ']}')
end
