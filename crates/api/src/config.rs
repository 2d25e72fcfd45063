//! Configuration from the environment (names are part of the contract, see API.md). Secrets are
//! never printed: `Settings` has no `Debug`.

use std::env;

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

pub struct Settings {
    pub database_url: String,
    pub environment: Environment,
    pub bind: String,
    pub jwt_secret: Vec<u8>,
    pub token_ttl_secs: i64,
    pub payment_webhook_secrets: Vec<Vec<u8>>,
    pub db_pool_size: u32,
    pub currency: String,
    pub auth_rate_per_min: u32,
    pub worker: bool,
    /// Unpaid orders older than this are cancelled by the worker.
    pub reservation_window: chrono::Duration,
    pub log_format: LogFormat,
    pub body_limit: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{0} is too weak for production: use at least 32 random bytes (e.g. `openssl rand -hex 32`)")]
    WeakSecret(&'static str),
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

/// Short, repetitive or placeholder secrets are refused in production.
pub fn is_weak_secret(secret: &[u8]) -> bool {
    let distinct = secret.iter().collect::<std::collections::HashSet<_>>().len();
    let lowered = String::from_utf8_lossy(secret).to_lowercase();
    secret.len() < 32
        || distinct < 8
        || [
            "changeme",
            "change-me",
            "change_me",
            "secret",
            "password",
            "example",
        ]
        .iter()
        .any(|placeholder| lowered.contains(placeholder))
}

fn random_secret() -> Vec<u8> {
    (0..32).map(|_| rand::random::<u8>()).collect()
}

impl Settings {
    pub fn from_env() -> Result<Settings, ConfigError> {
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
        let production = environment == Environment::Production;

        let jwt_secret = match var("STOCKROOM_JWT_SECRET") {
            Some(secret) if production && is_weak_secret(secret.as_bytes()) => {
                return Err(ConfigError::WeakSecret("STOCKROOM_JWT_SECRET"));
            }
            Some(secret) => secret.into_bytes(),
            None if production => return Err(ConfigError::Missing("STOCKROOM_JWT_SECRET")),
            // Development: a fresh secret per start; tokens die with the process.
            None => random_secret(),
        };

        let payment_webhook_secrets: Vec<Vec<u8>> = var("STOCKROOM_PAYMENT_WEBHOOK_SECRET")
            .map(|raw| {
                raw.split(',')
                    .map(|s| s.trim().as_bytes().to_vec())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if production {
            if payment_webhook_secrets.is_empty() {
                return Err(ConfigError::Missing("STOCKROOM_PAYMENT_WEBHOOK_SECRET"));
            }
            if payment_webhook_secrets.iter().any(|s| is_weak_secret(s)) {
                return Err(ConfigError::WeakSecret("STOCKROOM_PAYMENT_WEBHOOK_SECRET"));
            }
        }

        let currency = var("STOCKROOM_CURRENCY").unwrap_or_else(|| "USD".into());
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfigError::Invalid {
                name: "STOCKROOM_CURRENCY",
                reason: "an ISO 4217 code such as USD".into(),
            });
        }

        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        let db_pool_size = parsed("STOCKROOM_DB_POOL_SIZE", (cores * 4).max(8))?;
        if db_pool_size == 0 {
            return Err(ConfigError::Invalid {
                name: "STOCKROOM_DB_POOL_SIZE",
                reason: "must be at least 1".into(),
            });
        }

        let log_format = match var("STOCKROOM_LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            None if production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "STOCKROOM_LOG_FORMAT",
                    reason: format!("{other:?} is neither json nor pretty"),
                });
            }
        };

        Ok(Settings {
            database_url: var("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))?,
            environment,
            bind: var("STOCKROOM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret,
            token_ttl_secs: parsed("STOCKROOM_TOKEN_TTL_SECS", 3600)?,
            payment_webhook_secrets,
            db_pool_size,
            currency,
            auth_rate_per_min: parsed("STOCKROOM_AUTH_RATE_PER_MIN", 30)?,
            worker: parsed("STOCKROOM_WORKER", true)?,
            reservation_window: chrono::Duration::minutes(parsed("STOCKROOM_RESERVATION_MINUTES", 30)?),
            log_format,
            body_limit: parsed("STOCKROOM_BODY_LIMIT", crate::http::json::DEFAULT_BODY_LIMIT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_short_and_repetitive_secrets_are_weak() {
        assert!(is_weak_secret(b"short"));
        assert!(is_weak_secret(&[b'a'; 64]));
        assert!(is_weak_secret(b"changeme-changeme-changeme-changeme"));
        assert!(!is_weak_secret(b"3f9a1c7e5b2d8f0a6c4e1b9d7f3a5c8e"));
    }
}
