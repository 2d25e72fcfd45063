//! Registration, tokens, `me`, and every forged token the contract names.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::accounts::Role;
use serde_json::{Value, json};

use crate::helpers::{Options, assert_problem, json_body, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_customer_registers_signs_in_and_sees_their_account() {
    let app = spawn_app().await;

    let registered = app
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": "Ada@Example.com", "password": "correct horse", "name": "Ada"}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let user = json_body(registered).await;
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["role"], "customer");
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());

    let token = app
        .post(
            "/v1/auth/token",
            None,
            &json!({"email": "ADA@example.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(token.status(), 200);
    let token = json_body(token).await;
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);

    let me = json_body(app.get("/v1/me", token["access_token"].as_str()).await).await;
    assert_eq!(me["id"], user["id"]);
    assert_eq!(me["role"], "customer");
}

#[tokio::test]
async fn an_email_is_taken_whatever_its_case() {
    let app = spawn_app().await;
    let body = json!({"email": "ada@example.com", "password": "correct horse", "name": "Ada"});
    assert_eq!(app.post("/v1/auth/register", None, &body).await.status(), 201);

    let again = json!({"email": "ADA@EXAMPLE.COM", "password": "another horse", "name": "Ada 2"});
    assert_problem(
        app.post("/v1/auth/register", None, &again).await,
        409,
        "email_taken",
    )
    .await;
}

#[tokio::test]
async fn registration_reports_every_invalid_field_at_once() {
    let app = spawn_app().await;
    let before = app.snapshot();

    let body = assert_problem(
        app.post(
            "/v1/auth/register",
            None,
            &json!({"email": "nope", "password": "short", "name": " "}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;

    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "password", "name"]);
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let body = json!({"email": "ada@example.com", "password": "correct horse", "name": "Ada"});
    app.post("/v1/auth/register", None, &body).await;

    let wrong = assert_problem(
        app.post(
            "/v1/auth/token",
            None,
            &json!({"email": "ada@example.com", "password": "wrong horse!"}),
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_problem(
        app.post(
            "/v1/auth/token",
            None,
            &json!({"email": "bob@example.com", "password": "wrong horse!"}),
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;

    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(strip(wrong), strip(unknown));
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let app = spawn_app_with(Options {
        auth_rate_per_min: 3,
        ..Options::default()
    })
    .await;
    let attempt = json!({"email": "ada@example.com", "password": "wrong horse!"});
    for _ in 0..3 {
        assert_eq!(app.post("/v1/auth/token", None, &attempt).await.status(), 401);
    }

    let limited = app.post("/v1/auth/token", None, &attempt).await;

    assert!(limited.headers().get("retry-after").is_some());
    assert_eq!(
        limited.headers().get("ratelimit-policy").unwrap(),
        "\"auth\";q=3;w=60"
    );
    assert_eq!(limited.headers().get("ratelimit").unwrap(), "\"auth\";r=0;t=60");
    assert_problem(limited, 429, "rate_limited").await;
}

fn forge(token: &str, edit: impl Fn(&mut Value, &mut Value)) -> String {
    let mut parts = token.split('.');
    let mut header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    let signature = parts.next().unwrap();
    edit(&mut header, &mut payload);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        signature
    )
}

#[tokio::test]
async fn forged_expired_and_unsigned_tokens_are_unauthenticated() {
    let app = spawn_app().await;
    let (user, token) = app.account("eve@example.com", Role::Customer);
    let other_keys = api::auth::tokens::TokenKeys::new(b"another-secret-another-secret-0123456789", 3600);
    let now = chrono::Utc::now().timestamp();
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": user.id.to_string(), "role": "customer", "ver": 0, "iss": "stockroom",
                "aud": "stockroom-api", "iat": now - 7200, "exp": now - 3600}),
        &jsonwebtoken::EncodingKey::from_secret(crate::helpers::SECRET),
    )
    .unwrap();

    let forged = [
        ("unsigned (alg none)", {
            let t = forge(&token, |h, _| h["alg"] = json!("none"));
            let mut parts: Vec<&str> = t.split('.').collect();
            parts[2] = "";
            parts.join(".")
        }),
        (
            "role edited to staff",
            forge(&token, |_, p| p["role"] = json!("staff")),
        ),
        // Another account's id: the same one would leave the signed payload as it was.
        (
            "subject edited",
            forge(&token, |_, p| p["sub"] = json!((user.id.0 + 1).to_string())),
        ),
        (
            "algorithm switched to HS512",
            forge(&token, |h, _| h["alg"] = json!("HS512")),
        ),
        ("signed with another secret", other_keys.issue(&user).unwrap()),
        ("expired", expired),
        ("garbage", "not.a.token".to_owned()),
    ];

    assert_eq!(
        app.get("/v1/me", Some(&token)).await.status(),
        200,
        "the genuine token works"
    );
    for (what, bad) in forged {
        let me = app.get("/v1/me", Some(&bad)).await;
        assert_eq!(me.status(), 401, "{what} on /v1/me");
        let create = app
            .post(
                "/v1/products",
                Some(&bad),
                &json!({"sku": "X", "name": "X", "price": "1"}),
            )
            .await;
        assert_problem(create, 401, "unauthenticated").await;
    }
    let no_scheme = app
        .request(reqwest::Method::GET, "/v1/me", None)
        .header("Authorization", token.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(no_scheme.status(), 401, "a token without the Bearer scheme");
}
