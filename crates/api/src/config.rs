//! Configuration from the environment (names are part of the contract, see API.md). Every
//! value is range-checked at start, so a typo stops the service instead of, say, a zero
//! reservation window cancelling every pending order. Secrets are never printed: `Settings`
//! has no `Debug`.

use std::env;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use domain::events::RetryPolicy;

use crate::auth::tokens::MAX_TTL_SECS;
use crate::limits::client_ip::TrustedProxies;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// What the worker needs, and `serve` too: the database and the jobs' settings. No secrets.
pub struct CoreSettings {
    pub database_url: String,
    pub environment: Environment,
    pub db_pool_size: u32,
    pub statement_timeout: Duration,
    /// Unpaid orders older than this are cancelled by the worker.
    pub reservation_window: chrono::Duration,
    pub log_format: LogFormat,
    pub shutdown_grace: Duration,
    pub currency: String,
    /// How the worker retries webhook deliveries.
    pub webhook_retry: RetryPolicy,
    /// Whether webhook endpoints may be on loopback, private or other non-public addresses.
    pub webhook_allow_private: bool,
    /// `STOCKROOM_SMTP_URL` and `STOCKROOM_EMAIL_FROM`: customer emails; none when unset.
    pub smtp: Option<(String, String)>,
}

/// Everything `serve` needs.
pub struct Settings {
    pub core: CoreSettings,
    pub bind: String,
    pub jwt_secret: Vec<u8>,
    pub token_ttl_secs: i64,
    pub payment_webhook_secrets: Vec<Vec<u8>>,
    pub auth_rate_per_min: u32,
    pub order_rate_per_min: u32,
    pub max_pending_orders: u32,
    pub trusted_proxies: TrustedProxies,
    pub worker: bool,
    /// `STOCKROOM_BATCH_ORDERS`: orders for the same products that arrive while one of them is
    /// being placed are placed together, in one transaction.
    pub batch_orders: bool,
    pub body_limit: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(
        "{0} is too weak for production: give at least 32 random bytes as hex or base64 \
         (`openssl rand -hex 32` or `openssl rand -base64 32`)"
    )]
    WeakSecret(&'static str),
    #[error(
        "development mode refuses to listen on {0} (not a loopback address): set STOCKROOM_ENV=production \
         with strong secrets, or STOCKROOM_DEV_ALLOW_PUBLIC_BIND=true if you really mean it"
    )]
    DevelopmentOnPublicBind(String),
}

/// Reads a variable; an empty value counts as unset.
fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            reason: format!("cannot parse {raw:?}"),
        }),
    }
}

fn ranged<T>(name: &'static str, default: T, range: RangeInclusive<T>) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let value = parsed(name, default)?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: format!("{value} is outside {}..={}", range.start(), range.end()),
        })
    }
}

/// A production secret must be at least 32 bytes of random data, written as hex or base64:
/// a phrase, however long, is not. The decoded bytes must also vary (not `00` × 32).
pub fn is_strong_secret(secret: &str) -> bool {
    let secret = secret.trim();
    let decoded = hex::decode(secret).ok().or_else(|| {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(secret).ok())
    });
    decoded.is_some_and(|bytes| {
        let distinct = bytes.iter().collect::<std::collections::HashSet<_>>().len();
        bytes.len() >= 32 && distinct >= 16
    })
}

fn random_secret() -> Vec<u8> {
    (0..32).map(|_| rand::random::<u8>()).collect()
}

/// `host:port` on a loopback address (or `localhost`).
fn is_loopback_bind(bind: &str) -> bool {
    match bind.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.rsplit_once(':').is_some_and(|(host, _)| host == "localhost"),
    }
}

impl CoreSettings {
    pub fn from_env() -> Result<CoreSettings, ConfigError> {
        let environment = match var("STOCKROOM_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "STOCKROOM_ENV",
                    reason: format!("{other:?} is neither development nor production"),
                });
            }
        };
        let log_format = match var("STOCKROOM_LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            None if environment == Environment::Production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "STOCKROOM_LOG_FORMAT",
                    reason: format!("{other:?} is neither json nor pretty"),
                });
            }
        };
        let currency = var("STOCKROOM_CURRENCY").unwrap_or_else(|| "USD".into());
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfigError::Invalid {
                name: "STOCKROOM_CURRENCY",
                reason: "an ISO 4217 code such as USD".into(),
            });
        }

        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        Ok(CoreSettings {
            database_url: var("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))?,
            environment,
            // `serve` keeps two connections to itself (the outbox notifier and the catalog
            // listener): fewer than four would leave requests one or none.
            db_pool_size: ranged("STOCKROOM_DB_POOL_SIZE", (cores * 4).max(8), 4..=1000)?,
            statement_timeout: Duration::from_millis(ranged(
                "STOCKROOM_DB_STATEMENT_TIMEOUT_MS",
                5000,
                100..=600_000,
            )?),
            reservation_window: chrono::Duration::minutes(ranged(
                "STOCKROOM_RESERVATION_MINUTES",
                30,
                1..=10_080,
            )?),
            log_format,
            shutdown_grace: Duration::from_secs(ranged("STOCKROOM_SHUTDOWN_GRACE_SECS", 30, 0..=3600)?),
            currency,
            webhook_retry: RetryPolicy {
                base: Duration::from_millis(ranged(
                    "STOCKROOM_WEBHOOK_BACKOFF_BASE_MS",
                    2000,
                    1..=3_600_000,
                )?),
                cap: Duration::from_millis(ranged(
                    "STOCKROOM_WEBHOOK_BACKOFF_CAP_MS",
                    3_600_000,
                    1..=86_400_000,
                )?),
                max_attempts: ranged("STOCKROOM_WEBHOOK_MAX_ATTEMPTS", 12, 1..=100)?,
            },
            webhook_allow_private: parsed(
                "STOCKROOM_WEBHOOK_ALLOW_PRIVATE",
                environment == Environment::Development,
            )?,
            smtp: match (var("STOCKROOM_SMTP_URL"), var("STOCKROOM_EMAIL_FROM")) {
                (None, _) => None,
                (Some(_), None) => return Err(ConfigError::Missing("STOCKROOM_EMAIL_FROM")),
                (Some(url), Some(from)) => Some((url, from)),
            },
        })
    }
}

impl Settings {
    pub fn from_env() -> Result<Settings, ConfigError> {
        let core = CoreSettings::from_env()?;
        let production = core.environment == Environment::Production;

        let bind = var("STOCKROOM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        if !production && !is_loopback_bind(&bind) && !parsed("STOCKROOM_DEV_ALLOW_PUBLIC_BIND", false)? {
            return Err(ConfigError::DevelopmentOnPublicBind(bind));
        }

        let jwt_secret = match var("STOCKROOM_JWT_SECRET") {
            Some(secret) if production && !is_strong_secret(&secret) => {
                return Err(ConfigError::WeakSecret("STOCKROOM_JWT_SECRET"));
            }
            Some(secret) => secret.into_bytes(),
            None if production => return Err(ConfigError::Missing("STOCKROOM_JWT_SECRET")),
            // Development: a fresh secret per start; tokens die with the process.
            None => random_secret(),
        };

        let raw_payment_secrets: Vec<String> = var("STOCKROOM_PAYMENT_WEBHOOK_SECRET")
            .map(|raw| {
                raw.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if production {
            if raw_payment_secrets.is_empty() {
                return Err(ConfigError::Missing("STOCKROOM_PAYMENT_WEBHOOK_SECRET"));
            }
            if !raw_payment_secrets.iter().all(|s| is_strong_secret(s)) {
                return Err(ConfigError::WeakSecret("STOCKROOM_PAYMENT_WEBHOOK_SECRET"));
            }
        }
        // The provider signs with the secret as written (`openssl dgst -hmac "$SECRET"`).
        let payment_webhook_secrets = raw_payment_secrets.into_iter().map(String::into_bytes).collect();

        let trusted_proxies = TrustedProxies::parse(&var("STOCKROOM_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| ConfigError::Invalid {
                name: "STOCKROOM_TRUSTED_PROXIES",
                reason: e.to_string(),
            })?;

        Ok(Settings {
            core,
            bind,
            jwt_secret,
            token_ttl_secs: ranged("STOCKROOM_TOKEN_TTL_SECS", 3600, 60..=MAX_TTL_SECS)?,
            payment_webhook_secrets,
            auth_rate_per_min: ranged("STOCKROOM_AUTH_RATE_PER_MIN", 30, 0..=1_000_000)?,
            order_rate_per_min: ranged("STOCKROOM_ORDER_RATE_PER_MIN", 60, 0..=1_000_000)?,
            max_pending_orders: ranged("STOCKROOM_MAX_PENDING_ORDERS", 20, 1..=100_000)?,
            trusted_proxies,
            worker: parsed("STOCKROOM_WORKER", true)?,
            batch_orders: parsed("STOCKROOM_BATCH_ORDERS", true)?,
            body_limit: ranged(
                "STOCKROOM_BODY_LIMIT",
                crate::http::json::DEFAULT_BODY_LIMIT,
                1024..=16 * 1024 * 1024,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_short_or_repetitive_secrets_are_weak() {
        assert!(
            !is_strong_secret("abcdefgh".repeat(4).as_str()),
            "a 32-character phrase"
        );
        assert!(!is_strong_secret("correct horse battery staple, twice over!"));
        assert!(!is_strong_secret(&"ab".repeat(32)), "64 hex digits of one byte");
        assert!(!is_strong_secret(&"0f".repeat(16)), "16 bytes of hex");
        assert!(!is_strong_secret("changeme-changeme-changeme-changeme"));
    }

    #[test]
    fn thirty_two_random_bytes_as_hex_or_base64_are_strong() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        assert!(is_strong_secret(&hex::encode(&bytes)));
        assert!(is_strong_secret(&STANDARD.encode(&bytes)));
        assert!(is_strong_secret(&URL_SAFE_NO_PAD.encode(&bytes)));
    }

    #[test]
    fn only_loopback_binds_count_as_private() {
        assert!(is_loopback_bind("127.0.0.1:8080"));
        assert!(is_loopback_bind("[::1]:8080"));
        assert!(is_loopback_bind("localhost:8080"));
        assert!(!is_loopback_bind("0.0.0.0:8080"));
        assert!(!is_loopback_bind("[::]:8080"));
        assert!(!is_loopback_bind("shop.example.com:8080"));
    }
}
