-- GET /v1/products/{id} for a random product among the 1,000 loaded.
local products = tonumber(os.getenv("STOCKROOM_BENCH_PRODUCTS") or "1000")
request = function()
  return wrk.format("GET", "/v1/products/" .. math.random(1, products))
end
