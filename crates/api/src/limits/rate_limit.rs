//! Per-instance rate limits (see README: a deliberate trade), one per policy of `API.md`:
//! `auth` keyed by client address, `orders` keyed by customer. `governor` implements GCRA; we
//! name the policy, translate a refusal into `429`, and state the quota on every response of a
//! limited route with the IETF `RateLimit-Policy` and `RateLimit` headers.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::http::problem::ApiError;

/// Every limit's window: quotas are per minute.
const WINDOW_SECS: u32 = 60;

type Limiter<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

#[derive(Clone)]
pub struct RateLimit<K: Hash + Eq + Clone> {
    policy: &'static str,
    quota: u32,
    limiter: Option<Arc<Limiter<K>>>,
    checks: Arc<AtomicU64>,
}

/// What the last limit check of a request found, for its response's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    pub policy: &'static str,
    pub quota: u32,
    pub remaining: u32,
    /// Seconds until the quota is whole again.
    pub reset: u64,
}

impl<K: Hash + Eq + Clone> RateLimit<K> {
    /// `quota` requests per minute for each key; `0` turns the limit off.
    pub fn per_minute(policy: &'static str, quota: u32) -> RateLimit<K> {
        let limiter = NonZeroU32::new(quota)
            .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)).with_middleware()));
        RateLimit {
            policy,
            quota,
            limiter,
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Spends one request of `key`, or answers `429`. Either way the request remembers the
    /// quota's state, which `headers` puts on the response.
    pub fn spend(&self, req: &HttpRequest, key: K) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle keys now and then, so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(1024) {
            limiter.retain_recent();
        }
        let outcome = limiter.check_key(&key);
        let remaining = outcome
            .as_ref()
            .map_or(0, |snapshot| snapshot.remaining_burst_capacity());
        let state = QuotaState {
            policy: self.policy,
            quota: self.quota,
            remaining,
            reset: reset_secs(self.quota, remaining),
        };
        req.extensions_mut().insert(state);
        outcome.map(|_| ()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            tracing::info!(policy = self.policy, "rate limited");
            crate::ops::metrics::rate_limited(self.policy);
            ApiError::RateLimited {
                policy: self.policy,
                retry_after: wait.as_secs().max(1),
            }
        })
    }
}

/// GCRA refills one request every `WINDOW / quota` seconds.
fn reset_secs(quota: u32, remaining: u32) -> u64 {
    let used = u64::from(quota.saturating_sub(remaining));
    (used * u64::from(WINDOW_SECS)).div_ceil(u64::from(quota.max(1)))
}

impl QuotaState {
    pub fn policy_header(&self) -> String {
        format!("\"{}\";q={};w={WINDOW_SECS}", self.policy, self.quota)
    }

    pub fn state_header(&self) -> String {
        format!("\"{}\";r={};t={}", self.policy, self.remaining, self.reset)
    }
}

/// Middleware: a response to a request that spent a quota says so, success or not.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let state = response.request().extensions().get::<QuotaState>().copied();
    if let Some(state) = state {
        let headers = response.headers_mut();
        for (name, value) in [
            ("ratelimit-policy", state.policy_header()),
            ("ratelimit", state.state_header()),
        ] {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn each_key_has_its_own_quota_and_the_state_counts_down() {
        let limit = RateLimit::per_minute("orders", 2);
        let req = TestRequest::default().to_http_request();
        assert!(limit.spend(&req, 1).is_ok());
        let state = req.extensions().get::<QuotaState>().copied();
        assert_eq!(state.map(|s| (s.remaining, s.reset)), Some((1, 30)));
        assert!(limit.spend(&req, 1).is_ok());
        assert!(matches!(
            limit.spend(&req, 1),
            Err(ApiError::RateLimited {
                policy: "orders",
                retry_after: 1..
            })
        ));
        assert_eq!(req.extensions().get::<QuotaState>().map(|s| s.remaining), Some(0));
        assert!(limit.spend(&req, 2).is_ok(), "another key is not limited");
    }

    #[test]
    fn a_zero_quota_turns_the_limit_off_and_adds_no_headers() {
        let limit = RateLimit::per_minute("auth", 0);
        let req = TestRequest::default().to_http_request();
        for _ in 0..100 {
            assert!(limit.spend(&req, "k").is_ok());
        }
        assert!(req.extensions().get::<QuotaState>().is_none());
    }

    #[test]
    fn headers_use_the_structured_field_form() {
        let state = QuotaState {
            policy: "orders",
            quota: 60,
            remaining: 41,
            reset: 19,
        };
        assert_eq!(state.policy_header(), "\"orders\";q=60;w=60");
        assert_eq!(state.state_header(), "\"orders\";r=41;t=19");
    }
}
