//! Every form a session posts carries the session's CSRF token in a hidden field. A page of
//! another site can make the browser post a form (with the cookie, were it not `SameSite`), but
//! it cannot read the token: a post without it, or with another one, is refused before anything
//! is done.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;

use super::error::PageError;
use super::form::FormFields;
use super::session::ConsoleStaff;

/// The hidden field every console form carries.
pub const FIELD: &str = "csrf_token";

/// A form posted by a signed-in staff member, with the session's own CSRF token.
pub struct ConsolePost {
    pub staff: ConsoleStaff,
    pub fields: FormFields,
}

/// Compares in time that does not depend on where the two differ.
fn same_token(sent: &str, expected: &str) -> bool {
    sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

impl FromRequest for ConsolePost {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let staff = ConsoleStaff::from_request(req, payload);
        let fields = FormFields::from_request(req, payload);
        Box::pin(async move {
            let staff = staff.await?;
            let fields = fields.await?;
            match fields.get(FIELD) {
                Some(sent) if same_token(sent, &staff.session.csrf_token) => {
                    Ok(ConsolePost { staff, fields })
                }
                _ => Err(PageError::Forged),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_very_same_token_matches() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abd", "abc"));
        assert!(!same_token("ab", "abc"));
        assert!(!same_token("", "abc"));
    }
}
