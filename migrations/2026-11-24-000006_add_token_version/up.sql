-- Tokens carry the version of their account's rights; raising it (a role change, a forced
-- sign-out) makes every earlier token useless within the service's short cache of it.
-- A constant default is stored in the catalog (Postgres 11+): no table rewrite.
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
