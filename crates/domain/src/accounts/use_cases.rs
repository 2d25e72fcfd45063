//! Registering, signing in and creating staff accounts.

use crate::email::Email;
use crate::ids::UserId;
use crate::store::StoreError;
use crate::text::PersonName;

use super::password::Password;
use super::ports::{Accounts, PasswordHasher};
use super::user::{NewAccount, Role, User};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("no such account")]
    NotFound,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A customer signs up.
pub fn register(
    accounts: &impl Accounts,
    hasher: &impl PasswordHasher,
    email: Email,
    password: &Password,
    name: PersonName,
) -> Result<User, AccountError> {
    open_account(accounts, hasher, email, password, name, Role::Customer)
}

/// An operator creates a staff account from the command line.
pub fn create_staff(
    accounts: &impl Accounts,
    hasher: &impl PasswordHasher,
    email: Email,
    password: &Password,
    name: PersonName,
) -> Result<User, AccountError> {
    open_account(accounts, hasher, email, password, name, Role::Staff)
}

fn open_account(
    accounts: &impl Accounts,
    hasher: &impl PasswordHasher,
    email: Email,
    password: &Password,
    name: PersonName,
    role: Role,
) -> Result<User, AccountError> {
    let password_hash = hasher.hash(password)?;
    accounts.create_account(&NewAccount {
        email,
        name,
        password_hash,
        role,
    })
}

/// Checks an email and password. Every failure is the same `InvalidCredentials`, reached in
/// about the same time, whether the email is unknown, malformed or the password is wrong.
pub fn authenticate(
    accounts: &impl Accounts,
    hasher: &impl PasswordHasher,
    email: &str,
    password: &str,
) -> Result<User, AccountError> {
    let found = match Email::parse(email) {
        Ok(email) => accounts.account_with_password_hash(&email)?,
        Err(_) => None,
    };
    match found {
        Some((user, hash)) if hasher.verify(password, &hash) => Ok(user),
        Some(_) => Err(AccountError::InvalidCredentials),
        None => {
            hasher.verify_against_nothing(password);
            Err(AccountError::InvalidCredentials)
        }
    }
}

/// An operator promotes or demotes an account; its earlier tokens stop working.
pub fn change_role(accounts: &impl Accounts, email: &Email, role: Role) -> Result<User, AccountError> {
    accounts.change_role(email, role)
}

pub fn account(accounts: &impl Accounts, id: UserId) -> Result<User, AccountError> {
    accounts.account(id)?.ok_or(AccountError::NotFound)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::accounts::ports::{MockAccounts, MockPasswordHasher};

    fn ada() -> User {
        User {
            id: UserId(1),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: Role::Customer,
            created_at: Utc::now(),
            token_version: 0,
        }
    }

    #[test]
    fn registering_stores_a_hash_never_the_password_and_makes_a_customer() {
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_hash().returning(|_| Ok("$argon2id$hash".into()));
        let mut accounts = MockAccounts::new();
        accounts
            .expect_create_account()
            .withf(|a| a.password_hash == "$argon2id$hash" && a.role == Role::Customer)
            .times(1)
            .returning(|_| Ok(ada()));

        let user = register(
            &accounts,
            &hasher,
            Email::parse("ada@example.com").unwrap(),
            &Password::parse("correct horse").unwrap(),
            PersonName::parse("Ada").unwrap(),
        );

        assert_eq!(user.map(|u| u.role), Ok(Role::Customer));
    }

    #[test]
    fn an_unknown_email_still_spends_a_verification_and_is_invalid_credentials() {
        let mut accounts = MockAccounts::new();
        accounts
            .expect_account_with_password_hash()
            .returning(|_| Ok(None));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify_against_nothing().times(1).return_const(());

        assert_eq!(
            authenticate(&accounts, &hasher, "nobody@example.com", "whatever123"),
            Err(AccountError::InvalidCredentials)
        );
    }

    #[test]
    fn a_wrong_password_is_invalid_credentials() {
        let mut accounts = MockAccounts::new();
        accounts
            .expect_account_with_password_hash()
            .returning(|_| Ok(Some((ada(), "h".into()))));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| false);

        assert_eq!(
            authenticate(&accounts, &hasher, "ada@example.com", "wrong password"),
            Err(AccountError::InvalidCredentials)
        );
    }

    #[test]
    fn the_right_password_signs_in_whatever_the_email_case() {
        let mut accounts = MockAccounts::new();
        accounts
            .expect_account_with_password_hash()
            .withf(|email| email.as_str() == "ada@example.com")
            .returning(|_| Ok(Some((ada(), "h".into()))));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| true);

        assert_eq!(
            authenticate(&accounts, &hasher, "ADA@example.com", "right password").map(|u| u.id),
            Ok(UserId(1))
        );
    }
}
