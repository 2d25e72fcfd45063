DROP INDEX CONCURRENTLY IF EXISTS orders_user_pending_idx;
