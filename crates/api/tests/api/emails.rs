//! Customer emails end to end: real orders, the worker, and a real SMTP listener on port 0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::ops::worker::{Worker, WorkerSettings};
use domain::events::RetryPolicy;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, spawn_app};

/// A minimal SMTP server: it speaks just enough of RFC 5321 for a client to hand it mail, keeps
/// every message it accepts, and answers `451` to the first `refusals` messages.
#[derive(Clone)]
struct MailServer {
    url: String,
    messages: Arc<Mutex<Vec<String>>>,
}

impl MailServer {
    async fn start(refusals: usize) -> MailServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let messages: Arc<Mutex<Vec<String>>> = Arc::default();
        let refused = Arc::new(AtomicUsize::new(0));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (kept, refused) = (kept.clone(), refused.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let command = line.to_ascii_uppercase();
                        let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                            b"250 test\r\n"
                        } else if command.starts_with("MAIL") {
                            if refused.fetch_add(1, Ordering::SeqCst) < refusals {
                                b"451 try again later\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        } else if command.starts_with("DATA") {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut message = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                message.push_str(&line);
                                message.push('\n');
                            }
                            kept.lock().unwrap().push(message);
                            b"250 queued\r\n"
                        } else if command.starts_with("QUIT") {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        write.write_all(answer).await.unwrap();
                    }
                });
            }
        });
        MailServer { url, messages }
    }

    fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

fn mailing_worker(app: &TestApp, server: &MailServer) -> Worker {
    Worker::new(
        app.state.pool.clone(),
        WorkerSettings {
            retry: RetryPolicy {
                base: Duration::from_millis(1),
                cap: Duration::from_millis(5),
                max_attempts: 5,
            },
            smtp: Some((server.url.clone(), "Stockroom <shop@example.com>".into())),
            ..WorkerSettings::new("USD")
        },
    )
    .unwrap()
}

async fn deliver_until(worker: &Worker, done: impl Fn() -> bool) {
    for _ in 0..300 {
        worker.deliver().await.unwrap();
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the emails did not go out in time");
}

#[tokio::test]
async fn placing_an_order_mails_the_customer_a_confirmation_with_both_parts_and_a_message_id_from_the_event()
{
    let app = spawn_app().await;
    let server = MailServer::start(0).await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "MAIL-1", "4.25", 5).await;
    let order = app
        .place_order(&customer, &[(product["id"].as_i64().unwrap(), 2)])
        .await;
    let event_id = app.count("SELECT id AS n FROM events WHERE type = 'order.created'");
    let worker = mailing_worker(&app, &server);

    deliver_until(&worker, || !server.messages().is_empty()).await;

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("ada@example.com"), "{message}");
    assert!(
        message.contains(&format!("Order #{} confirmed", order["id"])),
        "{message}"
    );
    assert!(
        message.contains(&format!("Message-ID: <evt_{event_id}@example.com>")),
        "{message}"
    );
    assert!(
        message.contains("text/plain") && message.contains("text/html"),
        "{message}"
    );
    assert!(message.contains("8.50"), "the total: {message}");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM email_deliveries WHERE status = 'delivered'"),
        1
    );

    worker.deliver().await.unwrap();
    assert_eq!(server.messages().len(), 1, "sent once after the server took it");
}

#[tokio::test]
async fn a_mail_server_that_refuses_at_first_gets_the_email_on_a_later_attempt() {
    let app = spawn_app().await;
    let server = MailServer::start(2).await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "MAIL-2", "1.00", 5).await;
    app.place_order(&customer, &[(product["id"].as_i64().unwrap(), 1)])
        .await;
    let worker = mailing_worker(&app, &server);

    deliver_until(&worker, || !server.messages().is_empty()).await;

    assert_eq!(server.messages().len(), 1);
    assert_eq!(
        app.count("SELECT attempts::bigint AS n FROM email_deliveries"),
        3,
        "two refusals, then accepted"
    );
}

#[tokio::test]
async fn without_smtp_the_events_flow_and_no_email_is_owed() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "MAIL-3", "1.00", 5).await;
    app.place_order(&customer, &[(product["id"].as_i64().unwrap(), 1)])
        .await;
    let worker = Worker::new(app.state.pool.clone(), WorkerSettings::new("USD")).unwrap();

    worker.deliver().await.unwrap();

    assert_eq!(app.count("SELECT count(*) AS n FROM events WHERE fanned_out"), 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM email_deliveries"), 0);
}

#[tokio::test]
async fn a_refused_order_sends_no_email() {
    let app = spawn_app().await;
    let server = MailServer::start(0).await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "MAIL-4", "1.00", 1).await;
    let refused = app
        .post(
            "/v1/orders",
            Some(&customer),
            &serde_json::json!({"items": [{"product_id": product["id"], "quantity": 2}]}),
        )
        .await;
    assert_eq!(refused.status(), 409);

    mailing_worker(&app, &server).deliver().await.unwrap();

    assert!(server.messages().is_empty());
    assert_eq!(app.count("SELECT count(*) AS n FROM email_deliveries"), 0);
}
