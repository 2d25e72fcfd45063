CREATE INDEX CONCURRENTLY IF NOT EXISTS products_in_stock_idx ON products (id) WHERE stock > 0;
