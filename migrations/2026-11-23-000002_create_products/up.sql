-- The catalog and its stock ledger. The CHECKs hold even against buggy code:
-- stock never below zero, prices never negative, one product per SKU.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE products (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku                 TEXT          NOT NULL,
    name                TEXT          NOT NULL,
    description         TEXT          NOT NULL DEFAULT '',
    category            TEXT,
    price               NUMERIC(12,2) NOT NULL,
    stock               INTEGER       NOT NULL DEFAULT 0,
    active              BOOLEAN       NOT NULL DEFAULT TRUE,
    low_stock_threshold INTEGER       NOT NULL DEFAULT 5,
    version             BIGINT        NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_price_non_negative CHECK (price >= 0),
    CONSTRAINT products_stock_non_negative CHECK (stock >= 0),
    CONSTRAINT products_low_stock_threshold_non_negative CHECK (low_stock_threshold >= 0)
);

-- One index per sort order of the catalog (each ends with id, the tie-breaker of the keyset),
-- one per filter. Sorts read backwards (-price) use the same index.
CREATE INDEX products_price_idx ON products (price, id);
CREATE INDEX products_name_idx ON products (name, id);
CREATE INDEX products_created_at_idx ON products (created_at DESC, id DESC);
CREATE INDEX products_category_idx ON products (category, id);
CREATE INDEX products_in_stock_idx ON products (id) WHERE stock > 0;
CREATE INDEX products_active_idx ON products (id) WHERE active;
-- `q` is a case-insensitive substring match: trigram indexes serve ILIKE '%…%'.
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_description_trgm_idx ON products USING gin (description gin_trgm_ops);

-- The ledger: for every product, stock = sum(delta). History is never deleted with a product.
CREATE TABLE stock_movements (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      BIGINT      NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    delta           INTEGER     NOT NULL,
    cause           TEXT        NOT NULL,
    reference       TEXT        NOT NULL,
    resulting_stock INTEGER     NOT NULL,
    actor_id        BIGINT      REFERENCES users (id) ON DELETE RESTRICT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT stock_movements_delta_non_zero CHECK (delta <> 0),
    CONSTRAINT stock_movements_cause_known CHECK (cause IN ('order', 'cancellation', 'adjustment')),
    CONSTRAINT stock_movements_resulting_stock_non_negative CHECK (resulting_stock >= 0)
);

CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id);
CREATE INDEX stock_movements_actor_idx ON stock_movements (actor_id);
