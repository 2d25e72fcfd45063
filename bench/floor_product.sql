-- What GET /v1/products/{id} reads, asked of Postgres directly: one random product by id.
\set pid random(1, :products)
SELECT id, sku, name, description, category, price, stock, low_stock_threshold, active, version,
       created_at, updated_at
  FROM products WHERE id = :pid;
