DROP INDEX CONCURRENTLY IF EXISTS orders_user_created_idx;
