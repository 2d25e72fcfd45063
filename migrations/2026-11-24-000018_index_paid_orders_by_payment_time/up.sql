-- The sales report reads the orders paid in a period: paid, shipped or delivered (a cancelled
-- order is no sale, even once paid), by `paid_at`. Partial on those statuses, so the period is
-- one range of this index whatever the table holds besides; `id` along, to join the lines.
-- CONCURRENTLY, so that a live shop keeps taking orders; it must be the only statement of a
-- migration that runs outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_paid_at_idx ON orders (paid_at, id) WHERE status IN ('paid', 'shipped', 'delivered');
