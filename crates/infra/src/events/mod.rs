//! The outbox on Postgres: events written in the transaction of their change, their fan-out to
//! webhook deliveries, the endpoints, and the HTTP sender that makes each attempt.

mod deliveries;
mod documents;
mod emails;
mod endpoints;
mod outbox;
mod sender;
mod wakeup;

pub use deliveries::{Backlog, PgDeliveries};
pub use documents::EventDocuments;
pub use emails::{PgEmailDeliveries, SmtpMailer};
pub use endpoints::PgWebhookEndpoints;
pub(crate) use outbox::record_order_event;
pub use sender::HttpSender;
pub use wakeup::{CHANNEL, Listener, OutboxSignal, spawn_notifier};
