//! Events for subscribers: what happened (the transactional outbox), and the rules for delivering it
//! as a Standard Webhook — retries, giving up, disabling an endpoint, and which addresses we call.
//! Rules and ports only; the outbox table and the HTTP calls live in `infra`.

pub mod address;
pub mod email;
pub mod endpoint_health;
pub mod kind;
pub mod low_stock;
pub mod ports;
pub mod product_change;
pub mod retry;
pub mod use_cases;

pub use address::is_public_address;
pub use endpoint_health::{DISABLE_AFTER, should_disable_endpoint};
pub use kind::EventType;
pub use low_stock::crosses_low_stock;
pub use product_change::is_announced_change;
pub use retry::{AfterFailure, AttemptOutcome, DeliveryStatus, RetryPolicy};
pub use use_cases::{DeliveryPlan, DeliveryRound, deliver_due, send_due_emails};
