SET lock_timeout = '5s';
-- Every instance keeps the catalog's pages for a second (crates/api/src/catalog/cache.rs) and
-- drops them when told that what a page shows, other than stock, changed: a product added,
-- renamed, re-priced, re-categorised, archived or restored. The trigger tells every listener,
-- whoever made the change (the API, the console, an operator's SQL). It fires on the columns
-- named, so the statements that only move stock (placing, cancelling, adjusting) never notify:
-- their commits are the busy ones, and Postgres serializes the commits of notifying
-- transactions. Stock shown in a cached page may lag by the cache's second.
CREATE FUNCTION announce_catalog_change() RETURNS TRIGGER
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('stockroom_catalog', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER products_announce_catalog_change
    AFTER INSERT OR DELETE OR UPDATE OF sku, name, description, category, price, active, low_stock_threshold
    ON products
    FOR EACH STATEMENT EXECUTE FUNCTION announce_catalog_change();
