//! Who is calling: access tokens, password hashing, the caller extractors and sign-in limits.

pub mod caller;
pub mod password_hashing;
pub mod rate_limit;
pub mod standing;
pub mod tokens;

pub use caller::{Caller, Staff};
