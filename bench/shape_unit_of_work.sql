-- Transaction shape 1 (unit of work, ARCHITECTURE.md): lock the products in id order, then one
-- statement per step. Two lines per order, to show how the shape scales with lines. b differs from a.
\set a random(2, :products)
\set b 2 + ((:a - 2 + random(1, :products - 2)) % (:products - 1))
BEGIN;
SELECT id, stock, price, active FROM products WHERE id IN (:a, :b) ORDER BY id FOR UPDATE;
UPDATE products SET stock = stock - 1 WHERE id = :a AND stock >= 1 RETURNING stock AS sa \gset
UPDATE products SET stock = stock - 1 WHERE id = :b AND stock >= 1 RETURNING stock AS sb \gset
INSERT INTO orders (user_id, currency, total_amount) VALUES (:uid, 'USD', 2.00) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) VALUES (:order_id, :a, 'SKU', 'Name', 1, 1.00, 1.00);
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) VALUES (:order_id, :b, 'SKU', 'Name', 1, 1.00, 1.00);
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) VALUES (:a, -1, 'order', :order_id, :sa, :uid);
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) VALUES (:b, -1, 'order', :order_id, :sb, :uid);
INSERT INTO order_transitions (order_id, to_status, actor_kind, actor_id) VALUES (:order_id, 'pending', 'customer', :uid);
END;
