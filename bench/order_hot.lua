-- POST /v1/orders, every request for one unit of the same hot product (id 1).
local shopper = dofile("bench/shoppers.lua")

request = function()
  return wrk.format("POST", "/v1/orders", shopper(), '{"items":[{"product_id":1,"quantity":1}]}')
end
