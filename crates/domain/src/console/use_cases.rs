//! Signing in to the console, finding the session a request carries, signing out. Signing in
//! checks the email and password exactly as the API's token endpoint does.

use chrono::{DateTime, Utc};

use crate::accounts::{self, AccountError, Accounts, PasswordHasher, Role};
use crate::store::StoreError;

use super::ports::ConsoleSessions;
use super::session::{ConsoleSession, SessionKey};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConsoleError {
    /// A wrong email or password, among others, as signing in to the API reports it.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The right password of a customer: the console is for staff.
    #[error("only staff may sign in to the console")]
    NotStaff,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the caller made for a new session: its key (the digest of the browser's token) and the
/// token its forms will carry. Both are random; making them is the caller's (no I/O here).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSecrets {
    pub key: SessionKey,
    pub csrf_token: String,
}

/// Opens a session for a staff member whose email and password check out. A customer's right
/// password opens nothing.
pub fn sign_in(
    accounts: &impl Accounts,
    hasher: &impl PasswordHasher,
    sessions: &impl ConsoleSessions,
    email: &str,
    password: &str,
    secrets: SessionSecrets,
    now: DateTime<Utc>,
) -> Result<ConsoleSession, ConsoleError> {
    let user = accounts::use_cases::authenticate(accounts, hasher, email, password)?;
    if user.role != Role::Staff {
        return Err(ConsoleError::NotStaff);
    }
    let session = ConsoleSession::starting(secrets.key, user.id, secrets.csrf_token, now);
    sessions.open(&session, now)?;
    Ok(session)
}

/// The session with this key if it has not ended: `None` when unknown, signed out or expired.
/// Whether its account is still staff is [`ConsoleSession::admits`]'s to say.
pub fn live_session(
    sessions: &impl ConsoleSessions,
    key: &SessionKey,
    now: DateTime<Utc>,
) -> Result<Option<ConsoleSession>, StoreError> {
    Ok(sessions.session(key)?.filter(|session| session.is_live(now)))
}

pub fn sign_out(sessions: &impl ConsoleSessions, key: &SessionKey) -> Result<(), StoreError> {
    sessions.close(key)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::accounts::User;
    use crate::accounts::ports::{MockAccounts, MockPasswordHasher};
    use crate::console::ports::MockConsoleSessions;
    use crate::ids::UserId;

    fn user(role: Role) -> User {
        User {
            id: UserId(4),
            email: "sam@example.com".into(),
            name: "Sam".into(),
            role,
            created_at: Utc::now(),
            token_version: 0,
        }
    }

    fn accounts_with(role: Role) -> MockAccounts {
        let mut accounts = MockAccounts::new();
        accounts
            .expect_account_with_password_hash()
            .returning(move |_| Ok(Some((user(role), "hash".into()))));
        accounts
    }

    fn hasher(right: bool) -> MockPasswordHasher {
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(move |_, _| right);
        hasher
    }

    fn secrets() -> SessionSecrets {
        SessionSecrets {
            key: SessionKey([9; 32]),
            csrf_token: "csrf".into(),
        }
    }

    #[test]
    fn staff_with_the_right_password_get_a_session_of_eight_hours() {
        let now = Utc::now();
        let mut sessions = MockConsoleSessions::new();
        sessions
            .expect_open()
            .withf(move |s, at| {
                s.user_id == UserId(4)
                    && s.key == SessionKey([9; 32])
                    && s.expires_at == now + Duration::hours(8)
                    && *at == now
            })
            .times(1)
            .returning(|_, _| Ok(()));

        let session = sign_in(
            &accounts_with(Role::Staff),
            &hasher(true),
            &sessions,
            "sam@example.com",
            "right password",
            secrets(),
            now,
        );

        assert_eq!(session.map(|s| s.csrf_token), Ok("csrf".to_owned()));
    }

    #[test]
    fn a_customer_with_the_right_password_opens_no_session() {
        let mut sessions = MockConsoleSessions::new();
        sessions.expect_open().never();

        let refused = sign_in(
            &accounts_with(Role::Customer),
            &hasher(true),
            &sessions,
            "sam@example.com",
            "right password",
            secrets(),
            Utc::now(),
        );

        assert_eq!(refused, Err(ConsoleError::NotStaff));
    }

    #[test]
    fn a_wrong_password_is_invalid_credentials_and_opens_no_session() {
        let mut sessions = MockConsoleSessions::new();
        sessions.expect_open().never();

        let refused = sign_in(
            &accounts_with(Role::Staff),
            &hasher(false),
            &sessions,
            "sam@example.com",
            "wrong password",
            secrets(),
            Utc::now(),
        );

        assert_eq!(
            refused,
            Err(ConsoleError::Account(AccountError::InvalidCredentials))
        );
    }

    #[test]
    fn an_expired_session_is_no_session() {
        let now = Utc::now();
        let mut sessions = MockConsoleSessions::new();
        sessions.expect_session().returning(move |key| {
            Ok(Some(ConsoleSession::starting(
                key.clone(),
                UserId(4),
                "csrf".into(),
                now - Duration::hours(9),
            )))
        });

        assert_eq!(live_session(&sessions, &SessionKey([9; 32]), now), Ok(None));
    }
}
