//! Bounds on what one client can make the service do: request rates, the client's address
//! behind proxies, and how many password hashes run at once.

pub mod client_ip;
pub mod hashing_gate;
pub mod rate_limit;
