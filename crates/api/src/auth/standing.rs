//! Whether a token still speaks for its account: the account must exist with the role and token
//! version the token was issued under. Looked up through a short-lived in-process cache, so a
//! demotion, a revocation or a removal takes effect within `ttl` without a query per request.

use std::time::Duration;

use domain::accounts::{Accounts, Standing};
use domain::ids::UserId;
use infra::PgAccounts;
use moka::sync::Cache;

use crate::http::blocking;
use crate::http::problem::ApiError;

/// How long a standing is believed; the bound on how late a change of rights takes effect.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);
/// Accounts whose standing is kept at once; least recently used ones are dropped first.
const CAPACITY: u64 = 100_000;

#[derive(Clone)]
pub struct Standings {
    accounts: PgAccounts,
    /// `None`: every check asks the database (a zero TTL).
    cache: Option<Cache<UserId, Option<Standing>>>,
}

impl Standings {
    pub fn new(accounts: PgAccounts, ttl: Duration) -> Standings {
        let cache =
            (!ttl.is_zero()).then(|| Cache::builder().max_capacity(CAPACITY).time_to_live(ttl).build());
        Standings { accounts, cache }
    }

    /// The account's standing now (at most `ttl` old); `None` when it no longer exists.
    pub async fn of(&self, id: UserId) -> Result<Option<Standing>, ApiError> {
        if let Some(found) = self.cache.as_ref().and_then(|cache| cache.get(&id)) {
            return Ok(found);
        }
        let accounts = self.accounts.clone();
        let standing = blocking::run(move || accounts.standing(id)).await?;
        if let Some(cache) = &self.cache {
            cache.insert(id, standing);
        }
        Ok(standing)
    }
}
