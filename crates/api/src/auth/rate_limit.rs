//! Sign-up and sign-in attempts are limited per client address (`auth` policy): an IPv4
//! address, or an IPv6 /64, as seen through the trusted proxies.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::http::problem::ApiError;
use crate::limits::client_ip::limit_key;
use crate::state::AppState;

/// Taking this extractor spends one attempt of the caller's address, or answers `429`.
pub struct AuthAttempt;

impl FromRequest for AuthAttempt {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let spent = match req.app_data::<web::Data<AppState>>() {
            Some(state) => match state.trusted_proxies.client_ip(req) {
                Some(ip) => state.auth_limit.spend(req, limit_key(ip)),
                None => Ok(()),
            },
            None => Ok(()),
        };
        ready(spent.map(|()| AuthAttempt))
    }
}
