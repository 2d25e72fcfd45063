-- Contract: lists read orders by (created_at, id) since migrations 000010-000012, so orders_status_idx
-- serves no query and only costs every order a write. CONCURRENTLY, alone in its migration.
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
