-- Transaction shape the service uses: the whole placement as ONE statement (implicit
-- transaction, locks held only while it runs): PLACE_ORDER of crates/infra/src/orders/placement.rs
-- with its parameters written in. Two lines per order, same work as the other shape_*.sql
-- scripts. b differs from a.
\set a random(2, :products)
\set b 2 + ((:a - 2 + random(1, :products - 2)) % (:products - 1))
WITH request AS (
    SELECT :uid::bigint AS customer, 'USD'::text AS currency, ARRAY[:a, :b]::bigint[] AS ids, ARRAY[1, 1]::int[] AS quantities,
           NULL::text AS idempotency_key
), wanted AS (
    SELECT w.* FROM request, unnest(request.ids, request.quantities) AS w(product_id, quantity)
), locked AS (
    SELECT id, sku, name, price, stock, active
      FROM products WHERE id = ANY((SELECT ids FROM request)::bigint[]) ORDER BY id FOR UPDATE
), verdict AS (
    SELECT count(*) = (SELECT cardinality(ids) FROM request) AS all_available
      FROM wanted w JOIN locked l ON l.id = w.product_id
     WHERE l.active AND l.stock >= w.quantity
), reserved AS (
    UPDATE products AS p
       SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w, verdict v
     WHERE p.id = ANY((SELECT ids FROM request)::bigint[]) AND p.id = w.product_id AND v.all_available
    RETURNING p.id, p.sku, p.name, p.price, p.stock, w.quantity
), new_order AS (
    INSERT INTO orders (user_id, currency, total_amount)
    SELECT q.customer, q.currency, sum(r.price * r.quantity) FROM request q, reserved r
     GROUP BY q.customer, q.currency HAVING count(*) > 0
    RETURNING id, user_id, created_at, total_amount
), items AS (
    INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
    SELECT o.id, r.id, r.sku, r.name, r.quantity, r.price, r.price * r.quantity FROM new_order o, reserved r
), movements AS (
    INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
    SELECT r.id, -r.quantity, 'order', o.id::text, r.stock, o.user_id FROM new_order o, reserved r
), history AS (
    INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id)
    SELECT o.id, NULL, 'pending', 'customer', o.user_id FROM new_order o
), idempotency AS (
    UPDATE idempotency_keys AS k SET order_id = o.id
      FROM new_order o, request q
     WHERE k.user_id = q.customer AND k.key = q.idempotency_key
)
SELECT l.id, l.sku, l.name, l.price, l.active, COALESCE(r.stock, l.stock) AS stock,
       r.quantity, r.price * r.quantity AS line_total, o.id AS order_id, o.created_at, o.total_amount
  FROM locked l
  LEFT JOIN reserved r ON r.id = l.id
  LEFT JOIN new_order o ON TRUE
 ORDER BY l.id;
