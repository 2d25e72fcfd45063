-- The least SQL any correct order placement needs, by hand: in one transaction, the conditional
-- stock decrement (guarded on the price too), the order row, its item row, its movement row and
-- its first history row and its
-- `order.created` event (a document of the size the service writes). One unit of a random product.
\set uid random(:first_shopper, :last_shopper)
\set pid random(1, :products)
BEGIN;
UPDATE products SET stock = stock - 1 WHERE id = :pid AND active AND price = (:pid % 200) + 0.99 AND stock >= 1 RETURNING stock AS left_in_stock \gset
INSERT INTO orders (user_id, currency, subtotal, total_amount) VALUES (:uid, 'USD', 1.00, 1.00) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) VALUES (:order_id, :pid, 'SKU', 'Name', 1, 1.00, 1.00);
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) VALUES (:pid, -1, 'order', :order_id, :left_in_stock, :uid);
INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id) VALUES (:order_id, NULL, 'pending', 'customer', :uid);
INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data) VALUES ('order.created', 'order', :order_id, 1, '{"id": 0, "user_id": 0, "status": "pending", "currency": "USD", "subtotal": "1.00", "discount_total": "0.00", "shipping_total": "0.00", "total_amount": "1.00", "promo_code": null, "shipping_option": null, "items": [{"product_id": 1, "sku": "SKU", "name": "Name", "quantity": 1, "unit_price": "1.00", "line_total": "1.00", "discount": "0.00"}], "created_at": "2026-11-24T00:00:00.000000Z", "updated_at": "2026-11-24T00:00:00.000000Z", "paid_at": null, "shipped_at": null, "delivered_at": null, "cancelled_at": null}');
END;
