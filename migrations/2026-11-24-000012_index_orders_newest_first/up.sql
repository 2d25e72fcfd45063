-- Staff's unfiltered list, newest first by (created_at, id): without it every page would sort
-- the whole table (the primary key gave the former id order for free).
-- CONCURRENTLY, so that a live shop keeps taking orders; it must be the only statement of a
-- migration that runs outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_idx ON orders (created_at DESC, id DESC);
