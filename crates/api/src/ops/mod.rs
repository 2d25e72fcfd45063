//! Operating the service: health probes and the API's own documentation.

pub mod health;
pub mod openapi;
pub mod telemetry;
pub mod worker;
