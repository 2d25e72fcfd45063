DROP FUNCTION next_product_event_sequence(BIGINT);
DROP FUNCTION product_document(products, TEXT);
