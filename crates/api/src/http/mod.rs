//! HTTP plumbing shared by every route: errors, JSON bodies, request ids, cursors, ETags,
//! content negotiation.

pub mod accept;
pub mod blocking;
pub mod cursor;
pub mod etag;
pub mod json;
pub mod not_allowed;
pub mod page;
pub mod problem;
pub mod query;
pub mod request_id;
pub mod validation;
