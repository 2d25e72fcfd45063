-- Accounts. Emails are stored lower-cased (the CHECK keeps buggy code from storing another
-- spelling), so the unique index makes them unique case-insensitively.
CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL DEFAULT 'customer',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_lower_case CHECK (email = lower(email)),
    CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_role_known CHECK (role IN ('customer', 'staff'))
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
