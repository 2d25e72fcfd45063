-- The least SQL any correct placement of one to three lines needs, by hand, for the same mix as
-- bench/order_mix.lua: in one transaction, the guarded decrement of every line's product (on
-- activity, price and stock; ascending ids, as `= ANY` scans them), the order row, its item
-- rows, one movement row per line, its first history row and its `order.created` event (a
-- document of the size the service writes). One unit of each of one to three distinct random
-- products.
\set uid random(:first_shopper, :last_shopper)
\set lines random(1, 3)
\set a random(1, :products)
\set b 1 + (:a - 1 + random(1, :products / 3)) % :products
\set c 1 + (:b - 1 + random(1, :products / 3)) % :products
BEGIN;
UPDATE products SET stock = stock - 1 WHERE id = ANY((ARRAY[:a, :b, :c]::bigint[])[1:(:lines)]) AND active AND price = (id % 200) + 0.99 AND stock >= 1;
INSERT INTO orders (user_id, currency, subtotal, total_amount) VALUES (:uid, 'USD', 1.00, 1.00) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price, line_total) SELECT :order_id, p, 'SKU', 'Name', 1, 1.00, 1.00 FROM unnest((ARRAY[:a, :b, :c]::bigint[])[1:(:lines)]) AS p;
INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock, actor_id) SELECT id, -1, 'order', :order_id, stock, :uid FROM products WHERE id = ANY((ARRAY[:a, :b, :c]::bigint[])[1:(:lines)]);
INSERT INTO order_transitions (order_id, from_status, to_status, actor_kind, actor_id) VALUES (:order_id, NULL, 'pending', 'customer', :uid);
INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data) VALUES ('order.created', 'order', :order_id, 1, '{"id": 0, "user_id": 0, "status": "pending", "currency": "USD", "subtotal": "1.00", "discount_total": "0.00", "shipping_total": "0.00", "total_amount": "1.00", "promo_code": null, "shipping_option": null, "items": [{"product_id": 1, "sku": "SKU", "name": "Name", "quantity": 1, "unit_price": "1.00", "line_total": "1.00", "discount": "0.00"}, {"product_id": 2, "sku": "SKU", "name": "Name", "quantity": 1, "unit_price": "1.00", "line_total": "1.00", "discount": "0.00"}], "created_at": "2026-11-24T00:00:00.000000Z", "updated_at": "2026-11-24T00:00:00.000000Z", "paid_at": null, "shipped_at": null, "delivered_at": null, "cancelled_at": null}');
END;
