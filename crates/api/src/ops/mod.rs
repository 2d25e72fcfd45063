//! Operating the service: health probes, metrics, the API's own documentation, the worker.

pub mod health;
mod json_lines;
pub mod metrics;
pub mod openapi;
pub mod telemetry;
pub mod worker;
