SET lock_timeout = '5s';
-- Validating scans the tables under SHARE UPDATE EXCLUSIVE: reads and writes go on meanwhile.
ALTER TABLE orders VALIDATE CONSTRAINT orders_figures_add_up;
ALTER TABLE orders VALIDATE CONSTRAINT orders_promotion_fkey;
ALTER TABLE order_items VALIDATE CONSTRAINT order_items_discount_within_line;
