-- The bench's shoppers: each request is sent by one of them at random (their tokens, one per
-- line, in the file STOCKROOM_BENCH_TOKENS), as a shop's orders come from many customers.
local tokens = {}
for line in io.lines(os.getenv("STOCKROOM_BENCH_TOKENS")) do
  tokens[#tokens + 1] = line
end
assert(#tokens > 0, "STOCKROOM_BENCH_TOKENS names no tokens")

-- The headers of a JSON request from a random shopper.
return function()
  return {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }
end
