-- Transaction shape the service uses: the whole placement as ONE statement (implicit
-- transaction, locks held only while it runs). Two lines per order, same work as the other
-- shape_*.sql scripts. b differs from a.
\set a random(2, :products)
\set b 2 + ((:a - 2 + random(1, :products - 2)) % (:products - 1))
WITH wanted AS (
    SELECT * FROM unnest(ARRAY[:a, :b]::bigint[], ARRAY[1, 1]::int[]) AS w(product_id, quantity)
), locked AS (
    SELECT id, sku, name, price, stock, active FROM products WHERE id = ANY(ARRAY[:a, :b]::bigint[]) ORDER BY id FOR UPDATE
), verdict AS (
    SELECT count(*) = 2 AS all_available FROM wanted w JOIN locked l ON l.id = w.product_id WHERE l.active AND l.stock >= w.quantity
), reserved AS (
    UPDATE products AS p SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
      FROM wanted w, verdict v WHERE p.id = w.product_id AND v.all_available
    RETURNING p.id, p.sku, p.name, p.price, p.stock, w.quantity
), new_order AS (
    INSERT INTO orders (user_id, currency, total_amount)
    SELECT :uid, 'USD', sum(r.price * r.quantity) FROM reserved r HAVING count(*) > 0 RETURNING id, created_at, total_amount
), items AS (
    INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
    SELECT o.id, r.id, r.sku, r.name, r.quantity, r.price, r.price * r.quantity FROM new_order o, reserved r
), movements AS (
    INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
    SELECT r.id, -r.quantity, 'order', o.id::text, r.stock, :uid FROM new_order o, reserved r
), history AS (
    INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id)
    SELECT o.id, NULL, 'pending', 'customer', :uid FROM new_order o
)
SELECT l.id, COALESCE(r.stock, l.stock), o.id FROM locked l LEFT JOIN reserved r ON r.id = l.id LEFT JOIN new_order o ON TRUE;
