DROP TABLE payment_events;
DROP TABLE idempotency_keys;
DROP TABLE order_transitions;
DROP TABLE order_items;
DROP TABLE orders;
