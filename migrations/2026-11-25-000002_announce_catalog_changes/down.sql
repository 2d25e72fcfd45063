SET lock_timeout = '5s';
DROP TRIGGER products_announce_catalog_change ON products;
DROP FUNCTION announce_catalog_change();
