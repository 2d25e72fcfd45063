//! Events for subscribers: what happened (the transactional outbox), and the rules for delivering it
//! as a Standard Webhook — retries, giving up, disabling an endpoint, and which addresses we call.
//! Rules and ports only; the outbox table and the HTTP calls live in `infra`.

pub mod address;
pub mod endpoint_health;
pub mod kind;
pub mod low_stock;
pub mod ports;
pub mod retry;
pub mod use_cases;

pub use address::is_public_address;
pub use endpoint_health::{DISABLE_AFTER, should_disable_endpoint};
pub use kind::EventType;
pub use low_stock::crosses_low_stock;
pub use retry::{AfterFailure, AttemptOutcome, DeliveryStatus, RetryPolicy};
pub use use_cases::{DeliveryRound, deliver_due};
