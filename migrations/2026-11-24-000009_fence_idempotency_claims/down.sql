SET lock_timeout = '5s';
ALTER TABLE idempotency_keys DROP COLUMN claim_token;
DROP SEQUENCE idempotency_claim_tokens;
