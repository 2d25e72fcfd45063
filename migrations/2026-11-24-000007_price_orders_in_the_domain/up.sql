SET lock_timeout = '5s';
-- Orders priced by the domain: promotions, shipping options, and an order's figures beyond its
-- lines. Expand only: every existing order keeps its total as its subtotal, with no discount
-- and no shipping. The identities the domain computes are backed by CHECKs, added NOT VALID
-- here and validated by the next migration (a validation does not block writes).

CREATE TABLE promotions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             TEXT          NOT NULL,
    kind             TEXT          NOT NULL,
    value            NUMERIC(12,2) NOT NULL,
    min_subtotal     NUMERIC(18,2),
    category         TEXT,
    starts_at        TIMESTAMPTZ,
    ends_at          TIMESTAMPTZ,
    max_redemptions  INTEGER,
    max_per_customer INTEGER,
    -- Redemptions of orders not cancelled; the placing transaction takes one under its limit.
    redemptions      INTEGER       NOT NULL DEFAULT 0,
    active           BOOLEAN       NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT promotions_code_key UNIQUE (code),
    CONSTRAINT promotions_code_format CHECK (code ~ '^[A-Z0-9_-]{3,32}$'),
    CONSTRAINT promotions_kind_known CHECK (kind IN ('percent', 'fixed')),
    CONSTRAINT promotions_value_range CHECK (value > 0 AND (kind = 'fixed' OR value <= 100)),
    CONSTRAINT promotions_limits_positive CHECK (
        (max_redemptions IS NULL OR max_redemptions > 0)
        AND (max_per_customer IS NULL OR max_per_customer > 0)
        AND redemptions >= 0
    )
);

CREATE INDEX promotions_active_idx ON promotions (active, id DESC);

-- Per customer and promotion: how many of the customer's orders (not cancelled) used it. One row
-- to lock, so `max_per_customer` holds under any concurrency.
CREATE TABLE promotion_customers (
    promotion_id BIGINT  NOT NULL REFERENCES promotions (id) ON DELETE RESTRICT,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redemptions  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (promotion_id, user_id),
    CONSTRAINT promotion_customers_redemptions_non_negative CHECK (redemptions >= 0)
);

CREATE TABLE shipping_options (
    code       TEXT          PRIMARY KEY,
    name       TEXT          NOT NULL,
    price      NUMERIC(12,2) NOT NULL,
    free_over  NUMERIC(18,2),
    active     BOOLEAN       NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT shipping_options_code_format CHECK (code ~ '^[a-z0-9_-]{1,32}$'),
    CONSTRAINT shipping_options_price_non_negative CHECK (price >= 0 AND (free_over IS NULL OR free_over >= 0))
);

-- Nullable first; every existing order gets subtotal = total_amount just below.
ALTER TABLE orders
    ADD COLUMN subtotal        NUMERIC(18,2),
    ADD COLUMN discount_total  NUMERIC(18,2) NOT NULL DEFAULT 0,
    ADD COLUMN shipping_total  NUMERIC(18,2) NOT NULL DEFAULT 0,
    ADD COLUMN promotion_id    BIGINT,
    ADD COLUMN promo_code      TEXT,
    ADD COLUMN shipping_option TEXT;

-- The orders of this young shop fit one statement; a table of millions would take the batched
-- backfill of README.md (Operations, a zero-downtime migration) instead.
UPDATE orders SET subtotal = total_amount WHERE subtotal IS NULL;

ALTER TABLE orders
    ADD CONSTRAINT orders_promotion_fkey FOREIGN KEY (promotion_id) REFERENCES promotions (id) NOT VALID,
    ADD CONSTRAINT orders_figures_add_up CHECK (
        subtotal IS NOT NULL
        AND discount_total >= 0 AND discount_total <= subtotal
        AND shipping_total >= 0
        AND total_amount = subtotal - discount_total + shipping_total
    ) NOT VALID;

ALTER TABLE order_items ADD COLUMN discount NUMERIC(18,2) NOT NULL DEFAULT 0;
ALTER TABLE order_items
    ADD CONSTRAINT order_items_discount_within_line CHECK (discount >= 0 AND discount <= line_total) NOT VALID;
