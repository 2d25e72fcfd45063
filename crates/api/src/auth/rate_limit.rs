//! Sign-up and sign-in attempts per client IP, per instance (see README: a deliberate trade).
//! `governor` implements GCRA; we only key it by IP and translate its answer into `429`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Clone)]
pub struct AuthRateLimit {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    per_minute: u32,
    checks: Arc<AtomicU64>,
}

impl AuthRateLimit {
    /// `0` turns the limit off.
    pub fn per_minute(per_minute: u32) -> AuthRateLimit {
        let limiter = NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        AuthRateLimit {
            limiter,
            per_minute,
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle clients now and then, so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(1024) {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after: wait.as_secs().max(1),
                limit: self.per_minute,
                window: 60,
            }
        })
    }
}

/// Taking this extractor spends one attempt of the caller's IP, or answers `429`.
pub struct AuthAttempt;

impl FromRequest for AuthAttempt {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = match (req.app_data::<web::Data<AppState>>(), req.peer_addr()) {
            (Some(state), Some(peer)) => state.auth_rate_limit.check(peer.ip()).map(|()| AuthAttempt),
            _ => Ok(AuthAttempt),
        };
        std::future::ready(outcome)
    }
}
