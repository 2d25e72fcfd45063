//! The console's session: a random token in the `stockroom_console` cookie, whose SHA-256 digest
//! names a server-side row. `ConsoleStaff` is the extractor every console page takes: it finds
//! the live session, then asks the account's standing whether it is still staff.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use domain::console::use_cases::{self, SessionSecrets};
use domain::console::{ConsoleSession, SESSION_LIFETIME_SECS, SessionKey};
use domain::ids::UserId;
use futures::future::LocalBoxFuture;
use sha2::{Digest, Sha256};

use super::error::PageError;
use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "stockroom_console";
/// The cookie goes only to the console's addresses, never to the API's.
const COOKIE_PATH: &str = "/admin";

/// A staff member signed in to the console, as the request's session shows them now.
pub struct ConsoleStaff {
    pub user_id: UserId,
    pub session: ConsoleSession,
}

/// 32 random bytes, URL-safe base64: a session's token or a CSRF token.
fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn key_of(token: &str) -> Option<SessionKey> {
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    (raw.len() == 32).then(|| SessionKey(Sha256::digest(&raw).into()))
}

/// A new session's browser token, with the secrets the store keeps for it.
pub fn new_secrets() -> (String, SessionSecrets) {
    let raw = rand::random::<[u8; 32]>();
    let secrets = SessionSecrets {
        key: SessionKey(Sha256::digest(raw).into()),
        csrf_token: random_token(),
    };
    (URL_SAFE_NO_PAD.encode(raw), secrets)
}

/// The session's key from the request's cookie, if it carries a well-formed one.
pub fn key_from(req: &HttpRequest) -> Option<SessionKey> {
    req.cookie(COOKIE).and_then(|cookie| key_of(cookie.value()))
}

/// The cookie that hands the browser its token: script cannot read it, no other site's request
/// carries it, it ends when the server-side session does.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(CookieDuration::seconds(SESSION_LIFETIME_SECS))
        .finish()
}

/// The cookie that makes the browser forget its token.
pub fn expired_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("state missing".into()).into())
}

impl FromRequest for ConsoleStaff {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let key = key_from(req);
        Box::pin(async move {
            let state = state?;
            let key = key.ok_or(PageError::SignIn)?;
            let sessions = state.console_sessions.clone();
            let looked_up = key.clone();
            let session = blocking::run(move || use_cases::live_session(&sessions, &looked_up, Utc::now()))
                .await?
                .ok_or(PageError::SignIn)?;
            let standing = state.standings.of(session.user_id).await?;
            if !session.admits(standing, Utc::now()) {
                // Demoted (or removed): the session ends now rather than when it would expire,
                // so being made staff again takes a new sign-in.
                let sessions = state.console_sessions.clone();
                blocking::run(move || use_cases::sign_out(&sessions, &key)).await?;
                return Err(PageError::NoLongerStaff);
            }
            Ok(ConsoleStaff {
                user_id: session.user_id,
                session,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_the_session_by_its_digest_and_nothing_else_names_one() {
        let (token, secrets) = new_secrets();

        assert_eq!(key_of(&token), Some(secrets.key));
        assert_ne!(token, secrets.csrf_token);
        assert_eq!(key_of("not base64 at all!"), None);
        assert_eq!(key_of(&URL_SAFE_NO_PAD.encode([1u8; 16])), None, "too short");
    }

    #[test]
    fn the_cookie_is_http_only_strict_for_the_console_path_and_lasts_the_session() {
        let cookie = cookie("t".into(), true).to_string();

        for part in [
            "stockroom_console=t",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/admin",
            "Max-Age=28800",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
        assert!(!super::cookie("t".into(), false).to_string().contains("Secure"));
    }
}
