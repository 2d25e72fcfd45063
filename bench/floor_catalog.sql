-- What GET /v1/products?limit=20 reads, asked of Postgres directly: the first page of active
-- products by id (one more row than the page, as the service reads to know a next page exists).
SELECT id, sku, name, description, category, price, stock, low_stock_threshold, active, version,
       created_at, updated_at
  FROM products WHERE active ORDER BY id LIMIT 21;
