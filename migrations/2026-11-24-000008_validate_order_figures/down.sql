SET lock_timeout = '5s';
-- Nothing to undo: a validated constraint is the same constraint.
SELECT 1;
