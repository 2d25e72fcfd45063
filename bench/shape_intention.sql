-- Transaction shape 2 (intention-revealing port) as two statements in a transaction: one conditional
-- UPDATE reserving every line with locks in id order, one statement recording everything.
-- Two lines per order, same work as shape_unit_of_work.sql. b differs from a.
\set a random(2, :products)
\set b 2 + ((:a - 2 + random(1, :products - 2)) % (:products - 1))
BEGIN;
UPDATE products AS p SET stock = p.stock - w.quantity, version = p.version + 1, updated_at = now()
  FROM (SELECT id FROM products WHERE id = ANY(ARRAY[:a, :b]::bigint[]) ORDER BY id FOR UPDATE) AS locked,
       unnest(ARRAY[:a, :b]::bigint[], ARRAY[1, 1]::int[]) AS w(product_id, quantity)
 WHERE p.id = locked.id AND w.product_id = p.id AND p.active AND p.stock >= w.quantity
RETURNING p.id, p.sku, p.name, p.price, p.stock;
WITH new_order AS (INSERT INTO orders (user_id, currency, total_amount) VALUES (:uid, 'USD', 2.00) RETURNING id, created_at),
items AS (INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total)
  SELECT o.id, i.p, 'SKU', 'Name', 1, 1.00, 1.00 FROM new_order o, unnest(ARRAY[:a, :b]::bigint[]) AS i(p)),
movements AS (INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id)
  SELECT m.p, -1, 'order', o.id::text, 0, :uid FROM new_order o, unnest(ARRAY[:a, :b]::bigint[]) AS m(p)),
history AS (INSERT INTO order_transitions (order_id, to_status, actor_kind, actor_id) SELECT id, 'pending', 'customer', :uid FROM new_order)
SELECT id, created_at FROM new_order;
END;
