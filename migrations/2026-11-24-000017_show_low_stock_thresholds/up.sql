SET lock_timeout = '5s';
-- Products now show their low-stock threshold, so product events (whose `data` must equal
-- `GET /v1/products/{id}`) show it too. Same signature: the statements that call it need no change.
CREATE OR REPLACE FUNCTION product_document(p products, currency TEXT) RETURNS JSONB
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', p.id,
        'sku', p.sku,
        'name', p.name,
        'description', p.description,
        'category', p.category,
        'price', p.price::text,
        'currency', currency,
        'stock', p.stock,
        'active', p.active,
        'low_stock_threshold', p.low_stock_threshold,
        'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
