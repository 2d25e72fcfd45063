//! One webhook attempt over HTTP: signed per Standard Webhooks (the `standardwebhooks` crate
//! signs; we do not hand-roll the scheme), sent only to an address we vetted, never redirected,
//! and never longer than the attempt timeout.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use domain::events::ports::{DueDelivery, WebhookSender};
use domain::events::retry::ATTEMPT_TIMEOUT;
use domain::events::{AttemptOutcome, is_public_address};
use moka::sync::Cache;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use standardwebhooks::Webhook;

/// Clients kept for the receivers called lately: building one loads the TLS roots and starts
/// its own runtime thread, which cost more than the delivery, and a kept one reuses its
/// connections.
const MOST_CLIENTS: u64 = 64;

/// A client unused this long is dropped, with its thread and connections.
const CLIENT_IDLE_FOR: Duration = Duration::from_secs(60);

/// A receiver as called: its host, pinned to the addresses vetted for it.
type Receiver = (String, Vec<SocketAddr>);

#[derive(Clone)]
pub struct HttpSender {
    /// `STOCKROOM_WEBHOOK_ALLOW_PRIVATE`: whether loopback, private and other non-public
    /// addresses may be called (development and tests).
    allow_private: bool,
    /// Keyed by the vetted addresses too: a host that resolves elsewhere gets a client pinned
    /// there, vetted anew.
    clients: Cache<Receiver, Client>,
}

impl HttpSender {
    pub fn new(allow_private: bool) -> Self {
        HttpSender {
            allow_private,
            clients: Cache::builder()
                .max_capacity(MOST_CLIENTS)
                .time_to_idle(CLIENT_IDLE_FOR)
                .build(),
        }
    }

    /// The client calling `host` at exactly `addresses`: never redirected, never longer than the
    /// attempt timeout.
    fn client(&self, host: String, addresses: Vec<SocketAddr>) -> Result<Client, String> {
        let receiver = (host, addresses);
        if let Some(client) = self.clients.get(&receiver) {
            return Ok(client);
        }
        let client = Client::builder()
            .redirect(Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .resolve_to_addrs(&receiver.0, &receiver.1)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        self.clients.insert(receiver, client.clone());
        Ok(client)
    }

    /// The addresses `url` resolves to now, if we may call them. Resolved here and pinned for the
    /// request, so the address vetted is the address called (a DNS answer can change).
    fn vetted_addresses(&self, url: &reqwest::Url) -> Result<(String, Vec<SocketAddr>), String> {
        let host = url.host_str().ok_or("the URL has no host")?.to_owned();
        let port = url.port_or_known_default().ok_or("the URL has no port")?;
        let addresses: Vec<SocketAddr> = (host.trim_matches(['[', ']']), port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        if addresses.is_empty() {
            return Err(format!("{host} resolves to no address"));
        }
        if !self.allow_private && addresses.iter().any(|a| !is_public_address(a.ip())) {
            return Err(format!("{host} resolves to a non-public address"));
        }
        Ok((host, addresses))
    }
}

/// The `webhook-signature` header: one `v1,…` signature per secret, space-separated (two during a
/// rotation, so receivers holding either secret accept it).
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    secrets
        .iter()
        .map(|secret| {
            Webhook::new(secret)
                .and_then(|webhook| webhook.sign(id, timestamp, body.as_bytes()))
                .map_err(|e| format!("cannot sign: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|signatures| signatures.join(" "))
}

impl WebhookSender for HttpSender {
    fn send(&self, delivery: &DueDelivery) -> AttemptOutcome {
        let url = match reqwest::Url::parse(&delivery.url) {
            Ok(url) => url,
            Err(e) => return AttemptOutcome::Unreachable(format!("invalid URL: {e}")),
        };
        let (host, addresses) = match self.vetted_addresses(&url) {
            Ok(vetted) => vetted,
            Err(reason) => return AttemptOutcome::Unreachable(reason),
        };
        let id = format!("evt_{}", delivery.event_id);
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match signature(&delivery.secrets, &id, timestamp, &delivery.payload) {
            Ok(signature) => signature,
            Err(reason) => return AttemptOutcome::Unreachable(reason),
        };
        let client = match self.client(host.clone(), addresses) {
            Ok(client) => client,
            Err(reason) => return AttemptOutcome::Unreachable(reason),
        };
        // Only the status is read: the answer's body is dropped unread, so a huge one costs
        // nothing, and a slow one is cut by the timeout.
        let sent = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(standardwebhooks::HEADER_WEBHOOK_ID, &id)
            .header(standardwebhooks::HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string())
            .header(standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signature)
            .body(delivery.payload.clone())
            .send();
        match sent {
            Ok(answer) => AttemptOutcome::Answered {
                code: answer.status().as_u16(),
            },
            Err(e) if e.is_timeout() => AttemptOutcome::TimedOut,
            Err(e) => AttemptOutcome::Unreachable(format!("cannot reach {host}: {e}")),
        }
    }
}
