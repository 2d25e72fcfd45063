SET lock_timeout = '5s';
ALTER TABLE order_items DROP CONSTRAINT order_items_discount_within_line;
ALTER TABLE order_items DROP COLUMN discount;
ALTER TABLE orders
    DROP CONSTRAINT orders_figures_add_up,
    DROP CONSTRAINT orders_promotion_fkey,
    DROP COLUMN shipping_option,
    DROP COLUMN promo_code,
    DROP COLUMN promotion_id,
    DROP COLUMN shipping_total,
    DROP COLUMN discount_total,
    DROP COLUMN subtotal;
DROP TABLE shipping_options;
DROP TABLE promotion_customers;
DROP TABLE promotions;
