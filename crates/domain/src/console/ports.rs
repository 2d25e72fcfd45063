//! What console sessions need from storage.

use chrono::{DateTime, Utc};

use crate::store::StoreError;

use super::session::{ConsoleSession, SessionKey};

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait ConsoleSessions: Send + Sync {
    /// Stores a new session. Also forgets the account's sessions that ended before `now`, so
    /// the table holds about one row per staff member and browser.
    fn open(&self, session: &ConsoleSession, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// The session with this key, expired or not; `None` when there is none.
    fn session(&self, key: &SessionKey) -> Result<Option<ConsoleSession>, StoreError>;

    /// Forgets the session; nothing happens when there is none.
    fn close(&self, key: &SessionKey) -> Result<(), StoreError>;
}
