//! What accounts need from storage and from a password hashing scheme.

use crate::email::Email;
use crate::ids::UserId;
use crate::store::StoreError;

use super::password::Password;
use super::use_cases::AccountError;
use super::user::{NewAccount, Role, Standing, User};

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Accounts: Send + Sync {
    /// MUST return `EmailTaken` when an account with this email (case-insensitively) exists.
    fn create_account(&self, account: &NewAccount) -> Result<User, AccountError>;

    /// The account and its password hash, or `None`.
    fn account_with_password_hash(&self, email: &Email) -> Result<Option<(User, String)>, StoreError>;

    fn account(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The account's role and token version; `None` when the account no longer exists.
    fn standing(&self, id: UserId) -> Result<Option<Standing>, StoreError>;

    /// Gives the account `role` and raises its token version, so every token issued before
    /// stops working. MUST return `NotFound` for an unknown email.
    fn change_role(&self, email: &Email, role: Role) -> Result<User, AccountError>;
}

/// A slow, salted password hash (Argon2id in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait PasswordHasher: Send + Sync {
    fn hash(&self, password: &Password) -> Result<String, AccountError>;

    fn verify(&self, candidate: &str, hash: &str) -> bool;

    /// Spends the time of one verification, so that an unknown email answers as slowly as a
    /// wrong password and does not reveal which accounts exist.
    fn verify_against_nothing(&self, candidate: &str);
}
