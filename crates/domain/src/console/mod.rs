//! The staff console: the sessions staff sign in to it with, and the figures its dashboard shows.

pub mod dashboard;
pub mod ports;
pub mod session;
pub mod use_cases;

pub use dashboard::Dashboard;
pub use ports::ConsoleSessions;
pub use session::{ConsoleSession, SESSION_LIFETIME_SECS, SessionKey};
pub use use_cases::ConsoleError;
