//! The app on port 0 with a database of its own, wired as `serve` wires it; accounts with real
//! password hashes, so the console's sign-in checks them; and a client that keeps the console's
//! cookie and does not follow redirects, so a test sees each answer.

use std::net::TcpListener;
use std::time::Duration;

use api::state::{AppConfig, AppState};
use domain::accounts::{Password, Role, use_cases};
use domain::email::Email;
use domain::text::PersonName;
use infra::pool::PoolOptions;
use infra::testing::TestDb;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, Response};
use serde_json::{Value, json};

pub const SECRET: &[u8] = b"console-test-secret-console-test-secret-0123";
pub const PAYMENT_SECRET: &[u8] = b"whsec-console-0123456789abcdef";
pub const STAFF_EMAIL: &str = "sam@stockroom.test";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub db: TestDb,
    api: reqwest::Client,
}

/// A server whose account standings are never cached: a demotion shows at the next request.
pub async fn spawn_app() -> TestApp {
    let db = TestDb::new();
    let pool = infra::pool::connect_with(
        &db.url,
        PoolOptions {
            size: 8,
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
            payment_webhook_secrets: vec![PAYMENT_SECRET.to_vec()],
            standing_ttl: Duration::ZERO,
            ..AppConfig::new(SECRET)
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("local addr").port();
    let server = api::app::serve(listener, state.clone(), 2, Duration::from_secs(5)).expect("start server");
    tokio::spawn(server);
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        state,
        db,
        api: reqwest::Client::new(),
    }
}

impl TestApp {
    /// An account with a real Argon2 hash of [`PASSWORD`].
    pub fn account(&self, email: &str, role: Role) -> i64 {
        let email = Email::parse(email).expect("email");
        let password = Password::parse(PASSWORD).expect("password");
        let name = PersonName::parse("Test Person").expect("name");
        let user = match role {
            Role::Staff => {
                use_cases::create_staff(&self.state.accounts, &self.state.hasher, email, &password, name)
            }
            Role::Customer => {
                use_cases::register(&self.state.accounts, &self.state.hasher, email, &password, name)
            }
        }
        .expect("create account");
        user.id.0
    }

    /// An API token for a fresh account with this role.
    pub fn token(&self, email: &str, role: Role) -> String {
        self.account(email, role);
        let user = domain::accounts::use_cases::authenticate(
            &self.state.accounts,
            &self.state.hasher,
            email,
            PASSWORD,
        )
        .expect("authenticate");
        self.state.tokens.issue(&user).expect("token")
    }

    pub fn demote(&self, email: &str) {
        use_cases::change_role(
            &self.state.accounts,
            &Email::parse(email).expect("email"),
            Role::Customer,
        )
        .expect("demote");
    }

    pub async fn api(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let mut request = self
            .api
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API call");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap_or(Value::Null)
    }

    pub async fn create_product(&self, staff: &str, sku: &str, name: &str, price: &str, stock: i64) -> i64 {
        let body = json!({"sku": sku, "name": name, "price": price, "stock": stock, "category": "kitchen"});
        self.api(Method::POST, "/v1/products", staff, Some(body)).await["id"]
            .as_i64()
            .expect("product id")
    }

    /// Places an order of `quantity` units of `product`; paid through the signed webhook when
    /// `paid`. Returns its id.
    pub async fn order(&self, customer: &str, product: i64, quantity: i64, paid: bool) -> i64 {
        let order = self
            .api(
                Method::POST,
                "/v1/orders",
                customer,
                Some(json!({"items": [{"product_id": product, "quantity": quantity}]})),
            )
            .await;
        let id = order["id"].as_i64().expect("order id");
        if paid {
            let body = json!({"id": format!("evt_pay_{id}"), "type": "payment.succeeded",
                "data": {"order_id": id, "amount": order["total_amount"], "currency": "USD"}})
            .to_string();
            let timestamp = chrono::Utc::now().timestamp();
            let signature = api::payments::signature::sign(PAYMENT_SECRET, timestamp, body.as_bytes());
            let response = self
                .api
                .post(format!("{}/v1/webhooks/payments", self.base))
                .header(CONTENT_TYPE, "application/json")
                .header("Stockroom-Signature", signature)
                .body(body)
                .send()
                .await
                .expect("payment webhook");
            assert_eq!(response.status(), 200, "paying order {id}");
        }
        id
    }
}

/// A browser stand-in over plain HTTP: keeps the console's cookie, follows no redirect.
pub struct Console<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    pub cookie: Option<String>,
}

impl<'a> Console<'a> {
    pub fn new(app: &'a TestApp) -> Console<'a> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Console {
            app,
            client,
            cookie: None,
        }
    }

    /// Signs in, keeping whatever cookie the answer sets.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let response = self
            .post("/admin/sign-in", &[("email", email), ("password", password)])
            .await;
        if let Some(cookie) = set_cookie(&response) {
            self.cookie = Some(cookie);
        }
        response
    }

    pub async fn signed_in(app: &'a TestApp, email: &str) -> Console<'a> {
        let mut console = Console::new(app);
        let response = console.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), 303, "signing in as {email}");
        assert!(console.cookie.is_some(), "a session cookie");
        console
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.app.base));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        request
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.request(Method::POST, path)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).expect("form"))
            .send()
            .await
            .expect("POST")
    }

    /// The CSRF token the forms of a console page carry.
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/admin").await.text().await.expect("page");
        let marker = "name=\"csrf_token\" value=\"";
        let start = page.find(marker).expect("a CSRF field") + marker.len();
        page[start..].split('"').next().expect("token").to_owned()
    }
}

/// `name=value` of the response's `Set-Cookie`, if any.
pub fn set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
