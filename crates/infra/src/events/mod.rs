//! The outbox on Postgres: events written in the transaction of their change, their fan-out to
//! webhook deliveries, the endpoints, and the HTTP sender that makes each attempt.

mod deliveries;
mod documents;
mod endpoints;
mod outbox;
mod sender;

pub use deliveries::PgDeliveries;
pub use documents::EventDocuments;
pub use endpoints::PgWebhookEndpoints;
pub(crate) use outbox::record_order_event;
pub use sender::HttpSender;
