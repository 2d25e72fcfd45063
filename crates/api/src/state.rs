//! What every handler can reach: the repositories and the service's keys.

use infra::{PgAccounts, PgCatalog, PgPool};

use crate::auth::password_hashing::Argon2Hasher;
use crate::auth::rate_limit::AuthRateLimit;
use crate::auth::tokens::TokenKeys;
use crate::http::cursor::CursorCodec;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub catalog: PgCatalog,
    pub accounts: PgAccounts,
    pub hasher: Argon2Hasher,
    pub tokens: TokenKeys,
    pub cursors: CursorCodec,
    pub auth_rate_limit: AuthRateLimit,
    pub currency: String,
}

/// The parts of the configuration the HTTP app needs.
pub struct AppConfig<'a> {
    pub jwt_secret: &'a [u8],
    pub token_ttl_secs: i64,
    pub currency: &'a str,
    pub auth_rate_per_min: u32,
}

impl AppState {
    pub fn new(pool: PgPool, config: &AppConfig<'_>) -> AppState {
        AppState {
            catalog: PgCatalog::new(pool.clone()),
            accounts: PgAccounts::new(pool.clone()),
            hasher: Argon2Hasher::new(),
            tokens: TokenKeys::new(config.jwt_secret, config.token_ttl_secs),
            cursors: CursorCodec::new(config.jwt_secret),
            auth_rate_limit: AuthRateLimit::per_minute(config.auth_rate_per_min),
            currency: config.currency.to_owned(),
            pool,
        }
    }
}
