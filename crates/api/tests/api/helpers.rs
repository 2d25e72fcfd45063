//! A real server on port 0 with a database of its own, and a client to talk to it.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use api::limits::client_ip::TrustedProxies;
use api::limits::hashing_gate::HashingGate;
use api::state::{AppConfig, AppState};
use diesel::prelude::*;
use diesel::sql_query;
use domain::accounts::{Accounts, NewAccount, Role, User};
use domain::email::Email;
use domain::text::PersonName;
use infra::pool::{PoolOptions, StatementLog};
use infra::testing::TestDb;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";
/// The payment provider's secrets: the current one and the one being rotated out.
pub const PAYMENT_SECRETS: [&[u8]; 2] = [
    b"whsec-current-0123456789abcdef",
    b"whsec-previous-0123456789abcdef",
];

#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// Shared by the instances of one test (`spawn_app_beside`); dropped with the last.
    pub db: Arc<TestDb>,
}

pub struct Options {
    pub auth_rate_per_min: u32,
    pub order_rate_per_min: u32,
    pub max_pending_orders: u32,
    pub pool_size: u32,
    pub body_limit: usize,
    pub statement_timeout: Duration,
    /// How late a change of an account's rights may take effect.
    pub standing_ttl: Duration,
    pub hashing: Option<HashingGate>,
    pub trusted_proxies: TrustedProxies,
    /// Record every SQL statement the server sends.
    pub statements: Option<StatementLog>,
    /// What the kept catalog pages may weigh.
    pub catalog_cache_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            auth_rate_per_min: 0,
            order_rate_per_min: 0,
            max_pending_orders: 1000,
            pool_size: 10,
            body_limit: 64 * 1024,
            statement_timeout: infra::pool::DEFAULT_STATEMENT_TIMEOUT,
            standing_ttl: Duration::from_secs(5),
            hashing: None,
            trusted_proxies: TrustedProxies::default(),
            statements: None,
            catalog_cache_bytes: api::catalog::cache::MAX_BYTES,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let db = TestDb::new();
    let url = db.url.clone();
    spawn_app_on(db, &url, options).await
}

/// The app of `db`, reaching it through `pool_url` (a proxy in front of it, say).
pub async fn spawn_app_on(db: TestDb, pool_url: &str, options: Options) -> TestApp {
    serve_instance(Arc::new(db), pool_url, options).await
}

/// A second instance of `app`'s service, on the same database: as two replicas behind a load
/// balancer.
pub async fn spawn_app_beside(app: &TestApp, options: Options) -> TestApp {
    let url = app.db.url.clone();
    serve_instance(app.db.clone(), &url, options).await
}

async fn serve_instance(db: Arc<TestDb>, pool_url: &str, options: Options) -> TestApp {
    let pool = infra::pool::connect_with(
        pool_url,
        PoolOptions {
            size: options.pool_size,
            statement_timeout: options.statement_timeout,
            statements: options.statements,
        },
    );
    let defaults = AppConfig::new(SECRET);
    let state = AppState::new(
        pool,
        AppConfig {
            auth_rate_per_min: options.auth_rate_per_min,
            order_rate_per_min: options.order_rate_per_min,
            max_pending_orders: options.max_pending_orders,
            payment_webhook_secrets: PAYMENT_SECRETS.iter().map(|s| s.to_vec()).collect(),
            body_limit: options.body_limit,
            standing_ttl: options.standing_ttl,
            hashing: options.hashing.unwrap_or(defaults.hashing.clone()),
            trusted_proxies: options.trusted_proxies,
            catalog_cache_bytes: options.catalog_cache_bytes,
            ..defaults
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("local addr").port();
    let server = api::app::serve(listener, state.clone(), 2, Duration::from_secs(5)).expect("start server");
    tokio::spawn(server);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client,
        state,
        db,
    }
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// An account created directly in the database (no slow hashing), with a token for it.
    pub fn account(&self, email: &str, role: Role) -> (User, String) {
        let user = self
            .state
            .accounts
            .create_account(&NewAccount {
                email: Email::parse(email).expect("email"),
                name: PersonName::parse("Test Person").expect("name"),
                password_hash: "not-a-real-hash".into(),
                role,
            })
            .expect("create account");
        let token = self.state.tokens.issue(&user).expect("token");
        (user, token)
    }

    pub fn staff(&self) -> String {
        self.account("staff@stockroom.test", Role::Staff).1
    }

    pub fn customer(&self, email: &str) -> String {
        self.account(email, Role::Customer).1
    }

    pub async fn create_product(&self, staff: &str, sku: &str, price: &str, stock: i64) -> Value {
        let response = self
            .post(
                "/v1/products",
                Some(staff),
                &json!({"sku": sku, "name": format!("Product {sku}"), "price": price, "stock": stock}),
            )
            .await;
        assert_eq!(response.status(), 201, "creating {sku}");
        response.json().await.expect("product json")
    }

    pub fn conn(&self) -> PgConnection {
        self.db.connection()
    }

    /// A fingerprint of every row that matters, to prove a rejected request changed nothing.
    pub fn snapshot(&self) -> String {
        #[derive(QueryableByName)]
        struct Snapshot {
            #[diesel(sql_type = diesel::sql_types::Text)]
            fingerprint: String,
        }
        sql_query(
            "SELECT md5(concat_ws('|', \
               (SELECT string_agg(concat_ws(',', id, sku, name, description, category, price, stock, active, low_stock_threshold, version), ';' ORDER BY id) FROM products), \
               (SELECT string_agg(concat_ws(',', id, product_id, delta, cause, reference, resulting_stock), ';' ORDER BY id) FROM stock_movements), \
               (SELECT string_agg(concat_ws(',', id, email, role), ';' ORDER BY id) FROM users), \
               (SELECT string_agg(concat_ws(',', id, user_id, status, total_amount), ';' ORDER BY id) FROM orders), \
               (SELECT string_agg(concat_ws(',', order_id, product_id, quantity, unit_price), ';' ORDER BY order_id, product_id) FROM order_items), \
               (SELECT string_agg(concat_ws(',', order_id, to_status), ';' ORDER BY id) FROM order_transitions), \
               (SELECT string_agg(concat_ws(',', user_id, key, response_status), ';' ORDER BY user_id, key) FROM idempotency_keys), \
               (SELECT string_agg(concat_ws(',', event_id, outcome), ';' ORDER BY event_id) FROM payment_events))) AS fingerprint",
        )
        .get_result::<Snapshot>(&mut self.conn())
        .expect("snapshot")
        .fingerprint
    }

    /// (stock, sum of ledger deltas) for a product.
    pub fn stock_and_ledger(&self, product_id: i64) -> (i64, i64) {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            stock: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            ledger: i64,
        }
        let row: Row = sql_query(format!(
            "SELECT p.stock::bigint AS stock, COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id), 0)::bigint AS ledger \
             FROM products p WHERE p.id = {product_id}"
        ))
        .get_result(&mut self.conn())
        .expect("stock and ledger");
        (row.stock, row.ledger)
    }
}

impl TestApp {
    /// Places an order and returns its JSON, asserting `201`.
    pub async fn place_order(&self, token: &str, items: &[(i64, i64)]) -> Value {
        let items: Vec<Value> = items
            .iter()
            .map(|(p, q)| json!({"product_id": p, "quantity": q}))
            .collect();
        let response = self
            .post("/v1/orders", Some(token), &json!({ "items": items }))
            .await;
        assert_eq!(response.status(), 201, "placing an order");
        response.json().await.expect("order json")
    }

    /// Sends a payment event signed with the current secret, `now`.
    pub async fn payment_event(&self, id: &str, kind: &str, order_id: i64, amount: &str) -> Response {
        let body = json!({"id": id, "type": kind, "data": {"order_id": order_id, "amount": amount, "currency": "USD"}});
        self.signed_webhook(
            body.to_string(),
            PAYMENT_SECRETS[0],
            chrono::Utc::now().timestamp(),
        )
        .await
    }

    pub async fn signed_webhook(&self, body: String, secret: &[u8], timestamp: i64) -> Response {
        let signature = api::payments::signature::sign(secret, timestamp, body.as_bytes());
        self.request(Method::POST, "/v1/webhooks/payments", None)
            .header("Content-Type", "application/json")
            .header("Stockroom-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("webhook")
    }

    /// Places an order and pays it through the webhook.
    pub async fn paid_order(&self, token: &str, items: &[(i64, i64)]) -> Value {
        let order = self.place_order(token, items).await;
        let id = order["id"].as_i64().expect("id");
        let paid = self
            .payment_event(
                &format!("evt_pay_{id}"),
                "payment.succeeded",
                id,
                order["total_amount"].as_str().expect("total"),
            )
            .await;
        assert_eq!(paid.status(), 200);
        order
    }

    /// Runs one SQL query returning a single bigint column named `n`.
    pub fn count(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        sql_query(sql).get_result::<N>(&mut self.conn()).expect("count").n
    }
}

pub async fn json_body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Asserts a problem+json answer with this status and code; returns the body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status for expected code {code}"
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "the body carries the request id"
    );
    body
}

/// The app with `webhook_allow_private` and `webhook_https_only` as given, otherwise the
/// defaults of [`spawn_app`].
pub async fn spawn_app_with_webhook_rules(allow_private: bool, https_only: bool) -> TestApp {
    let db = TestDb::new();
    let pool = infra::pool::connect_with(
        &db.url,
        PoolOptions {
            size: 10,
            statement_timeout: infra::pool::DEFAULT_STATEMENT_TIMEOUT,
            statements: None,
        },
    );
    let state = AppState::new(
        pool,
        AppConfig {
            auth_rate_per_min: 0,
            order_rate_per_min: 0,
            max_pending_orders: 1000,
            payment_webhook_secrets: PAYMENT_SECRETS.iter().map(|s| s.to_vec()).collect(),
            standing_ttl: Duration::from_secs(5),
            webhook_allow_private: allow_private,
            webhook_https_only: https_only,
            ..AppConfig::new(SECRET)
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("local addr").port();
    let server = api::app::serve(listener, state.clone(), 2, Duration::from_secs(5)).expect("start server");
    tokio::spawn(server);
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        state,
        db: Arc::new(db),
    }
}

impl TestApp {
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .expect("DELETE")
    }

    /// Creates a webhook endpoint and returns its JSON (with the secret), asserting `201`.
    pub async fn create_webhook_endpoint(&self, staff: &str, url: &str, events: &[&str]) -> Value {
        let response = self
            .post(
                "/v1/webhook-endpoints",
                Some(staff),
                &json!({"url": url, "events": events}),
            )
            .await;
        assert_eq!(response.status(), 201, "creating a webhook endpoint for {url}");
        response.json().await.expect("endpoint json")
    }
}
