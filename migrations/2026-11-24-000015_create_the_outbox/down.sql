DROP FUNCTION crosses_low_stock(INTEGER, INTEGER, INTEGER);
DROP TABLE email_deliveries;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE events;
