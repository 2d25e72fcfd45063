//! A console session: one staff member signed in to the console from one browser, for a few
//! hours at most, with the token that every form of that session must carry.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::accounts::{Role, Standing};
use crate::ids::UserId;

/// How long a session lasts from sign-in: a working day. The cookie lasts as long, and the
/// server refuses the session afterwards even if a browser still sends it.
pub const SESSION_LIFETIME_SECS: i64 = 8 * 60 * 60;

/// The SHA-256 digest of a session's secret token. The token lives only in the browser's cookie;
/// the store keeps this digest, so reading the table gives nobody a session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(pub [u8; 32]);

/// Keeps even the digest out of logs.
impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(…)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleSession {
    pub key: SessionKey,
    pub user_id: UserId,
    /// Every form posted under this session carries it: a page of another site cannot know it.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl ConsoleSession {
    /// A session opened `now`, ending [`SESSION_LIFETIME_SECS`] later.
    pub fn starting(
        key: SessionKey,
        user_id: UserId,
        csrf_token: String,
        now: DateTime<Utc>,
    ) -> ConsoleSession {
        ConsoleSession {
            key,
            user_id,
            csrf_token,
            created_at: now,
            expires_at: now + Duration::seconds(SESSION_LIFETIME_SECS),
        }
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }

    /// A session serves a request only while it lasts and while its account is staff now (as its
    /// standing says): a demoted member loses the console at their next request, not when the
    /// session would have ended. A removed account (`None`) has no session either.
    pub fn admits(&self, standing: Option<Standing>, now: DateTime<Utc>) -> bool {
        self.is_live(now) && standing.is_some_and(|s| s.role == Role::Staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(now: DateTime<Utc>) -> ConsoleSession {
        ConsoleSession::starting(SessionKey([7; 32]), UserId(3), "csrf".into(), now)
    }

    fn standing(role: Role) -> Option<Standing> {
        Some(Standing {
            role,
            token_version: 0,
        })
    }

    #[test]
    fn a_session_lasts_eight_hours_from_sign_in() {
        let now = Utc::now();
        let session = session(now);

        assert_eq!(session.expires_at - session.created_at, Duration::hours(8));
        assert!(session.is_live(now + Duration::hours(8) - Duration::seconds(1)));
        assert!(!session.is_live(now + Duration::hours(8)));
    }

    #[test]
    fn a_session_admits_only_a_live_session_of_an_account_that_is_staff_now() {
        let now = Utc::now();
        let session = session(now);

        assert!(session.admits(standing(Role::Staff), now));
        assert!(!session.admits(standing(Role::Customer), now), "demoted");
        assert!(!session.admits(None, now), "account removed");
        assert!(
            !session.admits(standing(Role::Staff), now + Duration::hours(9)),
            "expired"
        );
    }

    #[test]
    fn a_session_key_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", SessionKey([1; 32])), "SessionKey(…)");
    }
}
