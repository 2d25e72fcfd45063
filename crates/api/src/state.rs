//! What every handler can reach: the repositories and the service's keys.

use infra::{PgAccounts, PgCatalog, PgIdempotency, PgOrders, PgPool};

use crate::auth::password_hashing::Argon2Hasher;
use crate::auth::rate_limit::AuthRateLimit;
use crate::auth::tokens::TokenKeys;
use crate::http::cursor::CursorCodec;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub catalog: PgCatalog,
    pub accounts: PgAccounts,
    pub orders: PgOrders,
    pub idempotency: PgIdempotency,
    pub payment_secrets: Vec<Vec<u8>>,
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
    pub payment_webhook_secrets: &'a [Vec<u8>],
}

impl AppState {
    pub fn new(pool: PgPool, config: &AppConfig<'_>) -> AppState {
        AppState {
            catalog: PgCatalog::new(pool.clone()),
            accounts: PgAccounts::new(pool.clone()),
            orders: PgOrders::new(pool.clone(), config.currency),
            idempotency: PgIdempotency::new(pool.clone()),
            payment_secrets: config.payment_webhook_secrets.to_vec(),
            hasher: Argon2Hasher::new(),
            tokens: TokenKeys::new(config.jwt_secret, config.token_ttl_secs),
            cursors: CursorCodec::new(config.jwt_secret),
            auth_rate_limit: AuthRateLimit::per_minute(config.auth_rate_per_min),
            currency: config.currency.to_owned(),
            pool,
        }
    }
}
