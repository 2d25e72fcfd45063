-- Staff's list filtered by status, newest first by (created_at, id), a page being one index
-- range. orders_status_idx (status, id DESC) goes once no release reads it any more.
-- CONCURRENTLY, so that a live shop keeps taking orders; it must be the only statement of a
-- migration that runs outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_created_idx ON orders (status, created_at DESC, id DESC);
