//! Operating the service: health probes, metrics, the API's own documentation, the worker.

pub mod health;
pub mod metrics;
pub mod openapi;
pub mod telemetry;
pub mod worker;
