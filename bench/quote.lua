-- POST /v1/orders/quote for three random products with the promotion and a shipping option:
-- the snapshot read and the domain's pricing, nothing reserved.
local shopper = dofile("bench/shoppers.lua")
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")

request = function()
  local body = '{"items":['
  for i = 1, 3 do
    if i > 1 then body = body .. "," end
    body = body .. '{"product_id":' .. math.random(1, products) .. ',"quantity":' .. i .. '}'
  end
  body = body .. '],"promo_code":"BENCH10","shipping_option":"standard"}'
  return wrk.format("POST", "/v1/orders/quote", shopper(), body)
end
