-- The pending-order limit is counted inside every placing statement (crates/infra/src/orders/
-- placement.rs, `pending`): a customer's unpaid orders, up to the limit. Through
-- orders_user_created_idx the count read every order the customer ever placed, and a generic
-- plan chose a sequential scan of all orders when one customer held most of them (measured: 11 ms
-- per placement at 65,000 orders). This index holds only unpaid orders, so the count reads
-- exactly what it counts. CONCURRENTLY, so that a live shop keeps taking orders; it must be the
-- only statement of a migration that runs outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_pending_idx ON orders (user_id) WHERE status = 'pending';
