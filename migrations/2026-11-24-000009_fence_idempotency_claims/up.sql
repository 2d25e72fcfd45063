SET lock_timeout = '5s';
-- Idempotency-Key claims carry a fencing token: each claim of a key (the first, and each
-- takeover of an abandoned one) draws a new one from the sequence, and the placing statement
-- writes nothing unless the key's token is still its own. Without it, a request that stalled
-- past the takeover could still place a second order under the same key.
-- Expand only: a nullable column without a default is a catalog change (no rewrite); keys
-- claimed before this release have no token, and no new placement runs under them.
CREATE SEQUENCE idempotency_claim_tokens;
ALTER TABLE idempotency_keys ADD COLUMN claim_token BIGINT;
