//! Accounts: who may sign in, and with which role.

pub mod password;
pub mod ports;
pub mod use_cases;
pub mod user;

pub use password::{Password, PasswordError};
pub use ports::{Accounts, PasswordHasher};
pub use use_cases::AccountError;
pub use user::{NewAccount, Role, Standing, User};
