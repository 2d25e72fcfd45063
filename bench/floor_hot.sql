-- The least SQL any correct order placement needs, by hand: in one transaction, the conditional
-- stock decrement, the order row, its item row and its movement row. One unit of the hot product (id 1).
\set pid 1
BEGIN;
UPDATE products SET stock = stock - 1 WHERE id = :pid AND stock >= 1 RETURNING stock AS left_in_stock \gset
INSERT INTO orders (user_id, currency, total_amount) VALUES (:uid, 'USD', 1.00) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) VALUES (:order_id, :pid, 'SKU', 'Name', 1, 1.00, 1.00);
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) VALUES (:pid, -1, 'order', :order_id, :left_in_stock, :uid);
END;
