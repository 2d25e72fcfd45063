-- HOT updates (see 000004) also need free space on the row's page: leave a fifth of each
-- products page empty. Applies to pages written from now on; older pages gain room as
-- autovacuum prunes their dead row versions.
-- Give up rather than queue orders behind this change on a busy shop; rerun later.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '30s';
ALTER TABLE products SET (fillfactor = 80);
