SET lock_timeout = '5s'; -- give up rather than queue live traffic behind a lock; rerun later
-- create_console_sessions
-- Staff console sessions: one row per sign-in, keyed by the SHA-256 digest of the random token in
-- the browser's cookie (the token itself is never stored), with the token every form of the
-- session must carry. The server refuses a session from expires_at on, whatever the browser
-- sends; removing an account removes its sessions.

CREATE TABLE console_sessions (
    id         BYTEA       PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT console_sessions_id_is_a_digest CHECK (octet_length(id) = 32),
    CONSTRAINT console_sessions_end_after_start CHECK (expires_at > created_at)
);
-- Signing in forgets the account's ended sessions, and removing an account cascades: both by user.
CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);
