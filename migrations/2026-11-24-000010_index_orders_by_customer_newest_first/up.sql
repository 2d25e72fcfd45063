-- Orders list newest first by (created_at, id), the order their timestamps show; this serves
-- a customer's list (and staff filtering by customer), a page being one index range.
-- orders_user_idx (user_id, id DESC) goes once no release reads it any more.
-- CONCURRENTLY, so that a live shop keeps taking orders; it must be the only statement of a
-- migration that runs outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_created_idx ON orders (user_id, created_at DESC, id DESC);
