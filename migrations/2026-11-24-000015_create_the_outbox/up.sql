SET lock_timeout = '5s';
-- The transactional outbox: every state change writes its event in the transaction that makes
-- the change, so a rolled-back change has no event and a committed one always has it. Workers
-- fan each event out to the webhook endpoints subscribed to its type (and to the customer's
-- email) and deliver from there; nothing is sent from inside the changing transaction.

CREATE TABLE events (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type           TEXT        NOT NULL,
    aggregate_type TEXT        NOT NULL,
    aggregate_id   BIGINT      NOT NULL,
    -- Increases by one per event of the same aggregate, so a receiver can drop a stale update.
    -- Each writer holds the aggregate's row lock when it takes the next number; the unique
    -- constraint backs that up.
    sequence       INTEGER     NOT NULL,
    data           JSONB       NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set once the worker has made this event's deliveries.
    fanned_out     BOOLEAN     NOT NULL DEFAULT FALSE,
    CONSTRAINT events_type_known CHECK (type IN ('order.created', 'order.paid', 'order.cancelled',
        'order.shipped', 'order.delivered', 'product.low_stock', 'product.updated', 'ping')),
    CONSTRAINT events_aggregate_known CHECK (aggregate_type IN ('order', 'product', 'webhook_endpoint')),
    CONSTRAINT events_sequence_positive CHECK (sequence > 0),
    CONSTRAINT events_sequence_per_aggregate UNIQUE (aggregate_type, aggregate_id, sequence)
);
-- GET /v1/events?type=…, newest first; the primary key serves the unfiltered list.
CREATE INDEX events_type_idx ON events (type, id);
-- What the fan-out step still has to do: small, since it is drained continuously.
CREATE INDEX events_awaiting_fan_out_idx ON events (id) WHERE NOT fanned_out;

CREATE TABLE webhook_endpoints (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                   TEXT        NOT NULL,
    events                TEXT[]      NOT NULL,
    description           TEXT,
    secret                TEXT        NOT NULL,
    -- During a rotation deliveries are signed with both secrets, until this one expires.
    previous_secret       TEXT,
    previous_secret_until TIMESTAMPTZ,
    active                BOOLEAN     NOT NULL DEFAULT TRUE,
    -- The first failed attempt since the last success: 3 days of failures disable the endpoint.
    failing_since         TIMESTAMPTZ,
    disabled_reason       TEXT,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One per endpoint and event: the unit a worker claims (FOR UPDATE SKIP LOCKED, then a lease,
-- so no event goes to an endpoint twice at once, and a dead worker's claim expires).
CREATE TABLE webhook_deliveries (
    endpoint_id      BIGINT      NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         BIGINT      NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    status           TEXT        NOT NULL DEFAULT 'pending',
    attempts         INTEGER     NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    last_attempt_at  TIMESTAMPTZ,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    leased_until     TIMESTAMPTZ,
    PRIMARY KEY (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    CONSTRAINT webhook_deliveries_attempts_non_negative CHECK (attempts >= 0)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- Every attempt, for the operator who asks why an endpoint went quiet.
CREATE TABLE webhook_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id BIGINT      NOT NULL,
    event_id    BIGINT      NOT NULL,
    attempt     INTEGER     NOT NULL,
    status_code INTEGER,
    error       TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (endpoint_id, event_id) REFERENCES webhook_deliveries (endpoint_id, event_id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (endpoint_id, event_id);

-- One customer email per event that sends one, claimed and retried like a webhook delivery.
CREATE TABLE email_deliveries (
    event_id        BIGINT      PRIMARY KEY REFERENCES events (id) ON DELETE RESTRICT,
    status          TEXT        NOT NULL DEFAULT 'pending',
    attempts        INTEGER     NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_attempt_at TIMESTAMPTZ,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    leased_until    TIMESTAMPTZ,
    CONSTRAINT email_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    CONSTRAINT email_deliveries_attempts_non_negative CHECK (attempts >= 0)
);
CREATE INDEX email_deliveries_due_idx ON email_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'failed');

-- When a change takes a product's stock from above its threshold to at or below it: the one
-- SQL spelling of `domain::events::crosses_low_stock`, tied to it by a test, used by every
-- statement that takes stock (placing, adjusting) so the event fires once per crossing.
CREATE FUNCTION crosses_low_stock(before INTEGER, after INTEGER, threshold INTEGER) RETURNS BOOLEAN
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN before > threshold AND after <= threshold;
