-- Orders, their items (the price captured at purchase), their history, idempotency keys and
-- payment events. History is never deleted with a product: product FKs are ON DELETE RESTRICT.
CREATE TABLE orders (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status       TEXT          NOT NULL DEFAULT 'pending',
    currency     TEXT          NOT NULL,
    total_amount NUMERIC(18,2) NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    paid_at      TIMESTAMPTZ,
    shipped_at   TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    CONSTRAINT orders_status_known CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT orders_total_non_negative CHECK (total_amount >= 0),
    CONSTRAINT orders_currency_code CHECK (currency ~ '^[A-Z]{3}$')
);

-- "My orders, newest first" and "all orders by status, newest first" (newest = highest id).
CREATE INDEX orders_user_idx ON orders (user_id, id DESC);
CREATE INDEX orders_status_idx ON orders (status, id DESC);
-- The reservation window: pending orders by age.
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';

CREATE TABLE order_items (
    order_id   BIGINT        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id BIGINT        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    sku        TEXT          NOT NULL,
    name       TEXT          NOT NULL,
    quantity   INTEGER       NOT NULL,
    unit_price NUMERIC(12,2) NOT NULL,
    line_total NUMERIC(18,2) NOT NULL,
    -- One line per product (lines are merged), and the key is the "items by order" index.
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT order_items_quantity_positive CHECK (quantity > 0 AND quantity <= 10000),
    CONSTRAINT order_items_unit_price_non_negative CHECK (unit_price >= 0),
    CONSTRAINT order_items_line_total_exact CHECK (line_total = unit_price * quantity)
);

CREATE INDEX order_items_product_idx ON order_items (product_id);

-- One row per transition, written in the transaction that makes it.
CREATE TABLE order_transitions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT      NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT        NOT NULL,
    actor_kind  TEXT        NOT NULL,
    actor_id    BIGINT      REFERENCES users (id) ON DELETE RESTRICT,
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT order_transitions_actor_known CHECK (actor_kind IN ('customer', 'staff', 'system', 'payment_provider'))
);

CREATE INDEX order_transitions_order_idx ON order_transitions (order_id, id);

-- Idempotency-Key, per user. In flight while response_status IS NULL; order_id is bound in the
-- order's own transaction, so a crash after commit can still answer with that order.
CREATE TABLE idempotency_keys (
    user_id             BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key                 TEXT        NOT NULL,
    request_fingerprint TEXT        NOT NULL,
    order_id            BIGINT      REFERENCES orders (id) ON DELETE SET NULL,
    response_status     SMALLINT,
    response_body       BYTEA,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at        TIMESTAMPTZ,
    PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Payment provider events: the primary key makes "applied at most once" a constraint.
CREATE TABLE payment_events (
    event_id    TEXT          PRIMARY KEY,
    event_type  TEXT          NOT NULL,
    order_id    BIGINT        NOT NULL,
    amount      NUMERIC(18,2) NOT NULL,
    currency    TEXT          NOT NULL,
    outcome     TEXT          NOT NULL DEFAULT 'received',
    reason      TEXT,
    received_at TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT payment_events_outcome_known CHECK (outcome IN ('received', 'applied', 'rejected'))
);

CREATE INDEX payment_events_order_idx ON payment_events (order_id);
