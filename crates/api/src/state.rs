//! What every handler can reach: the repositories, the service's keys and its limits.

use std::sync::Arc;
use std::time::Duration;

use domain::ids::UserId;
use infra::catalog::spawn_catalog_listener;
use infra::events::{OutboxSignal, PgWebhookEndpoints, spawn_notifier};
use infra::{
    PgAccounts, PgCatalog, PgConsoleSessions, PgIdempotency, PgOrders, PgPool, PgPromotions, PgReports,
    PgShippingOptions,
};

use crate::auth::password_hashing::Argon2Hasher;
use crate::auth::standing::{self, Standings};
use crate::auth::tokens::TokenKeys;
use crate::catalog::cache::CatalogPages;
use crate::catalog::spawn_product_refresher;
use crate::events::documents::ApiDocuments;
use crate::events::requests::WebhookUrlRules;
use crate::http::cursor::CursorCodec;
use crate::limits::client_ip::TrustedProxies;
use crate::limits::hashing_gate::HashingGate;
use crate::limits::rate_limit::RateLimit;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub catalog: PgCatalog,
    /// The catalog's rendered pages, kept for a second and dropped on any change heard.
    pub catalog_pages: CatalogPages,
    pub accounts: PgAccounts,
    pub orders: PgOrders,
    pub idempotency: PgIdempotency,
    pub promotions: PgPromotions,
    pub shipping: PgShippingOptions,
    pub reports: PgReports,
    pub webhooks: PgWebhookEndpoints,
    pub console_sessions: PgConsoleSessions,
    /// Whether the console's session cookie is `Secure` (production, behind https).
    pub console_secure_cookie: bool,
    /// Where webhook endpoints may point; checked when staff create or change one.
    pub webhook_urls: WebhookUrlRules,
    pub payment_secrets: Vec<Vec<u8>>,
    pub hasher: Argon2Hasher,
    pub hashing: HashingGate,
    pub tokens: TokenKeys,
    pub standings: Standings,
    pub cursors: CursorCodec,
    pub trusted_proxies: TrustedProxies,
    /// `auth`: register and token, per client address.
    pub auth_limit: RateLimit<std::net::IpAddr>,
    /// `orders`: placements (and quotes), per customer.
    pub order_limit: RateLimit<UserId>,
    pub max_pending_orders: u32,
    pub currency: String,
    pub body_limit: usize,
}

/// The parts of the configuration the HTTP app needs. `AppConfig::new` gives the defaults of
/// `API.md`; the command line and tests change what they need.
#[derive(Clone)]
pub struct AppConfig {
    pub jwt_secret: Vec<u8>,
    pub token_ttl_secs: i64,
    pub currency: String,
    pub auth_rate_per_min: u32,
    pub order_rate_per_min: u32,
    pub max_pending_orders: u32,
    pub payment_webhook_secrets: Vec<Vec<u8>>,
    pub trusted_proxies: TrustedProxies,
    pub body_limit: usize,
    /// How late a change of an account's rights may take effect.
    pub standing_ttl: Duration,
    pub hashing: HashingGate,
    /// Whether webhook endpoints may be on loopback, private or other non-public addresses.
    pub webhook_allow_private: bool,
    /// Whether webhook endpoints must use `https`.
    pub webhook_https_only: bool,
    /// Whether the console's session cookie is `Secure`: browsers then send it over https only.
    pub console_secure_cookie: bool,
    /// What the kept catalog pages may weigh, in bytes.
    pub catalog_cache_bytes: u64,
    /// Whether orders for the same products arriving while one of them is being placed are
    /// placed together (checkout lanes).
    pub batch_orders: bool,
}

impl AppConfig {
    pub fn new(jwt_secret: &[u8]) -> AppConfig {
        AppConfig {
            jwt_secret: jwt_secret.to_vec(),
            token_ttl_secs: 3600,
            currency: "USD".into(),
            auth_rate_per_min: 30,
            order_rate_per_min: 60,
            max_pending_orders: 20,
            payment_webhook_secrets: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            body_limit: crate::http::json::DEFAULT_BODY_LIMIT,
            standing_ttl: standing::DEFAULT_TTL,
            hashing: HashingGate::for_this_machine(),
            // Development and tests call receivers on this machine; production turns it off.
            webhook_allow_private: true,
            webhook_https_only: false,
            console_secure_cookie: false,
            catalog_cache_bytes: crate::catalog::cache::MAX_BYTES,
            batch_orders: true,
        }
    }
}

impl AppState {
    /// Also starts the process's outbox notifier (placements, transitions and product changes
    /// wake the workers of every instance through one `NOTIFY` per burst of commits) and its
    /// catalog listener (a product change heard drops the catalog's kept pages and the products
    /// orders are priced from) and the refresher of the product pages shoppers keep reading.
    pub fn new(pool: PgPool, config: AppConfig) -> AppState {
        let accounts = PgAccounts::new(pool.clone());
        let written = OutboxSignal::default();
        spawn_notifier(pool.clone(), written.clone());
        let catalog_pages = CatalogPages::weighing_at_most(config.catalog_cache_bytes);
        let orders = PgOrders::new(pool.clone(), &config.currency, Arc::new(ApiDocuments))
            .signalling(written.clone())
            .batching_orders(config.batch_orders);
        let (heard_pages, heard_products) = (catalog_pages.clone(), orders.kept_products().clone());
        let (own_pages, own_products) = (catalog_pages.clone(), orders.kept_products().clone());
        spawn_catalog_listener(pool.clone(), move |feed| {
            heard_pages.hear(feed);
            heard_products.hear(feed);
        });
        let catalog = PgCatalog::new(pool.clone(), &config.currency)
            .signalling(written)
            .on_change(move || {
                own_pages.forget_all();
                own_products.forget_all();
            });
        spawn_product_refresher(catalog_pages.clone(), catalog.clone(), config.currency.clone());
        AppState {
            catalog_pages,
            catalog,
            standings: Standings::new(accounts.clone(), config.standing_ttl),
            accounts,
            orders,
            idempotency: PgIdempotency::new(pool.clone()),
            promotions: PgPromotions::new(pool.clone()),
            shipping: PgShippingOptions::new(pool.clone()),
            reports: PgReports::new(pool.clone()),
            webhooks: PgWebhookEndpoints::new(pool.clone()),
            console_sessions: PgConsoleSessions::new(pool.clone()),
            console_secure_cookie: config.console_secure_cookie,
            webhook_urls: WebhookUrlRules {
                allow_private: config.webhook_allow_private,
                https_only: config.webhook_https_only,
            },
            payment_secrets: config.payment_webhook_secrets,
            hasher: Argon2Hasher::new(),
            hashing: config.hashing,
            tokens: TokenKeys::new(&config.jwt_secret, config.token_ttl_secs),
            cursors: CursorCodec::new(&config.jwt_secret),
            trusted_proxies: config.trusted_proxies,
            auth_limit: RateLimit::per_minute("auth", config.auth_rate_per_min),
            order_limit: RateLimit::per_minute("orders", config.order_rate_per_min),
            max_pending_orders: config.max_pending_orders,
            currency: config.currency,
            body_limit: config.body_limit,
            pool,
        }
    }
}
