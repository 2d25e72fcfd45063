SET lock_timeout = '5s';
-- The product as `GET /v1/products/{id}` shows it, for the `data` of product events. Product
-- events are written by the statements that change stock (the placing statement among them),
-- which see the changed row only inside SQL; one rendering here serves them all, and a test
-- holds it equal to the API's view.
CREATE FUNCTION product_document(p products, currency TEXT) RETURNS JSONB
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
        'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));

-- A product's event, next in the product's sequence. Callers hold the product's row lock (they
-- just changed it), so no two take the same number; the unique constraint backs that up.
CREATE FUNCTION next_product_event_sequence(product_id BIGINT) RETURNS INTEGER
    LANGUAGE sql STABLE
    RETURN (SELECT COALESCE(max(sequence), 0) + 1 FROM events
             WHERE aggregate_type = 'product' AND aggregate_id = product_id);
