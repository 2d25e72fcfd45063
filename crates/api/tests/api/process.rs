//! The `stockroom` binary as an operator runs it: what it refuses to start with, the worker
//! alone, and a drain on SIGTERM that leaves no client with an error.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_query;
use domain::accounts::{Accounts, NewAccount, Role};
use domain::email::Email;
use domain::text::PersonName;
use infra::testing::TestDb;
use serde_json::json;

const JWT_SECRET: &str = "9f1c2e7a4b8d3f6051e2a9c7d4b1f8e3a6c5d2e9f0b7a4c1d8e5f2a3b6c9d0e7";

/// The binary with a clean environment (and a folder without a `.env`) plus `vars`.
fn stockroom(args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stockroom"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the command to its end (it should refuse at once) and returns (success, stderr).
fn refusal(mut command: Command) -> (bool, String) {
    let output = command.stdout(Stdio::null()).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn serve_refuses_values_out_of_range_weak_secrets_and_a_public_development_bind() {
    let url = "postgres://nobody@127.0.0.1:1/none";
    let strong = JWT_SECRET;
    let cases: [(&[(&str, &str)], &str); 7] = [
        (
            &[("STOCKROOM_RESERVATION_MINUTES", "0")],
            "STOCKROOM_RESERVATION_MINUTES",
        ),
        (
            &[("STOCKROOM_TOKEN_TTL_SECS", "999999")],
            "STOCKROOM_TOKEN_TTL_SECS",
        ),
        (&[("STOCKROOM_DB_POOL_SIZE", "0")], "STOCKROOM_DB_POOL_SIZE"),
        (&[("STOCKROOM_DB_POOL_SIZE", "3")], "STOCKROOM_DB_POOL_SIZE"),
        (&[("STOCKROOM_BIND", "0.0.0.0:0")], "development mode refuses"),
        (
            &[
                ("STOCKROOM_ENV", "production"),
                ("STOCKROOM_JWT_SECRET", "abcdefghabcdefghabcdefghabcdefgh"),
                ("STOCKROOM_PAYMENT_WEBHOOK_SECRET", strong),
            ],
            "STOCKROOM_JWT_SECRET is too weak",
        ),
        (
            &[
                ("STOCKROOM_ENV", "production"),
                ("STOCKROOM_JWT_SECRET", strong),
                (
                    "STOCKROOM_PAYMENT_WEBHOOK_SECRET",
                    "a long and memorable passphrase, but a phrase",
                ),
            ],
            "STOCKROOM_PAYMENT_WEBHOOK_SECRET is too weak",
        ),
    ];
    for (vars, expected) in cases {
        let mut all = vec![("DATABASE_URL", url), ("STOCKROOM_BIND", "127.0.0.1:0")];
        all.extend_from_slice(vars);
        let (ok, stderr) = refusal(stockroom(&["serve"], &all));
        assert!(!ok, "{vars:?} started");
        assert!(stderr.contains(expected), "{vars:?}: {stderr}");
    }
}

fn wait_until(deadline: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn exit_code_within(child: &mut Child, limit: Duration) -> Option<i32> {
    let mut code = None;
    wait_until(limit, || match child.try_wait() {
        Ok(Some(status)) => {
            code = status.code();
            true
        }
        _ => false,
    });
    code
}

#[test]
fn the_worker_starts_with_only_the_database_and_stops_cleanly_on_sigterm() {
    let db = TestDb::new();
    let mut worker = stockroom(&["worker"], &[("DATABASE_URL", &db.url)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker runs without HTTP secrets"
    );
    terminate(&worker);
    assert_eq!(exit_code_within(&mut worker, Duration::from_secs(10)), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_requests_lets_every_one_finish_and_exits_zero() {
    let db = TestDb::new();
    let staff = infra::PgAccounts::new(db.pool(1))
        .create_account(&NewAccount {
            email: Email::parse("ops@example.com").unwrap(),
            name: PersonName::parse("Ops").unwrap(),
            password_hash: "not-a-real-hash".into(),
            role: Role::Staff,
        })
        .unwrap();
    let token = api::auth::tokens::TokenKeys::new(JWT_SECRET.as_bytes(), 3600)
        .issue(&staff)
        .unwrap();
    sql_query("INSERT INTO products (sku, name, price) VALUES ('DRAIN-1', 'Drain', 1.00)")
        .execute(&mut db.connection())
        .unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let bind = format!("127.0.0.1:{port}");
    let mut server = stockroom(
        &["serve"],
        &[
            ("DATABASE_URL", &db.url),
            ("STOCKROOM_BIND", &bind),
            ("STOCKROOM_JWT_SECRET", JWT_SECRET),
            ("STOCKROOM_SHUTDOWN_GRACE_SECS", "20"),
            ("STOCKROOM_DB_STATEMENT_TIMEOUT_MS", "30000"),
            ("STOCKROOM_DB_POOL_SIZE", "16"),
        ],
    )
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..150 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");

    // Requests in flight: each waits for a product row the test holds locked.
    let mut holder = db.connection();
    sql_query("BEGIN").execute(&mut holder).unwrap();
    sql_query("SELECT 1 FROM products WHERE sku = 'DRAIN-1' FOR UPDATE")
        .execute(&mut holder)
        .unwrap();
    let in_flight: Vec<_> = (0..8)
        .map(|i| {
            let request = reqwest::Client::new()
                .patch(format!("{base}/v1/products/1"))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Drain {i}")}))
                .send();
            tokio::spawn(request)
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;

    terminate(&server);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        server.try_wait().unwrap().is_none(),
        "it drains instead of exiting"
    );
    assert!(
        reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err(),
        "the listener is closed to new connections"
    );

    sql_query("ROLLBACK").execute(&mut holder).unwrap();
    for request in in_flight {
        let response = request.await.unwrap().expect("no reset connection");
        assert_eq!(response.status(), 200, "every request in flight finished");
    }
    assert_eq!(exit_code_within(&mut server, Duration::from_secs(15)), Some(0));
}
