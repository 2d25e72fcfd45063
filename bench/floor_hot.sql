-- The least SQL any correct order placement needs, by hand: in one transaction, the conditional
-- stock decrement (guarded on the price too), the order row, its item row, its movement row and
-- its first history row. One unit of the hot product (id 1).
\set pid 1
BEGIN;
UPDATE products SET stock = stock - 1 WHERE id = :pid AND active AND price = (:pid % 200) + 0.99 AND stock >= 1 RETURNING stock AS left_in_stock \gset
INSERT INTO orders (user_id, currency, subtotal, total_amount) VALUES (:uid, 'USD', 1.00, 1.00) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) VALUES (:order_id, :pid, 'SKU', 'Name', 1, 1.00, 1.00);
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) VALUES (:pid, -1, 'order', :order_id, :left_in_stock, :uid);
INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id) VALUES (:order_id, NULL, 'pending', 'customer', :uid);
END;
