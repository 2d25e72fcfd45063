//! The background worker: delivers the outbox to webhook endpoints, cancels orders left unpaid
//! past the reservation window (returning their stock) and purges expired idempotency keys.
//! Runs inside `serve` by default, or alone as `stockroom worker` with nothing but the database;
//! any number may run at once (deliveries are claimed with `SKIP LOCKED` and a lease).

use std::time::{Duration, Instant};

use chrono::Utc;
use domain::events::{DeliveryPlan, DeliveryRound, RetryPolicy, deliver_due, send_due_emails};
use domain::idempotency::IdempotencyStore;
use domain::orders::use_cases;
use infra::events::{HttpSender, Listener, PgDeliveries, PgEmailDeliveries, SmtpMailer};
use infra::{PgIdempotency, PgOrders, PgPool};
use std::sync::Arc;
use tokio::sync::watch;

use crate::events::documents::ApiDocuments;
use crate::http::blocking;
use crate::http::problem::ApiError;

/// How often unpaid orders and old keys are looked for.
const EXPIRY_TICK: Duration = Duration::from_secs(30);
/// How often due deliveries are looked for without a notification: retries come due by the
/// clock, and a notification may be missed while reconnecting.
const POLL: Duration = Duration::from_secs(1);
/// How often the listening connection is read (no round trip: it reads what arrived).
const LISTEN_CHECK: Duration = Duration::from_millis(20);
/// How long to wait before listening again after the connection was lost.
const RELISTEN: Duration = Duration::from_secs(5);
/// Orders looked at per batch; a pass takes batch after batch until none is due.
const BATCH: usize = 200;
/// Deliveries claimed at once. They are attempted one after another, each within the 10 s
/// attempt timeout, so the lease covers the whole batch with room to spare.
const DELIVERY_BATCH: usize = 8;
const LEASE: Duration = Duration::from_secs(8 * 10 + 30);
/// Events fanned out per statement.
const FAN_OUT_BATCH: usize = 500;

/// What the worker needs besides the database.
#[derive(Clone)]
pub struct WorkerSettings {
    pub currency: String,
    pub reservation_window: chrono::Duration,
    pub retry: RetryPolicy,
    /// Whether webhook endpoints on non-public addresses may be called.
    pub allow_private: bool,
    /// Where to `LISTEN` for new events; `None` polls only.
    pub listen_url: Option<String>,
    /// The SMTP URL and sender of customer emails; `None` sends none.
    pub smtp: Option<(String, String)>,
}

impl WorkerSettings {
    pub fn new(currency: &str) -> WorkerSettings {
        WorkerSettings {
            currency: currency.to_owned(),
            reservation_window: chrono::Duration::minutes(30),
            retry: RetryPolicy::default(),
            allow_private: true,
            listen_url: None,
            smtp: None,
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    orders: PgOrders,
    idempotency: PgIdempotency,
    deliveries: PgDeliveries,
    emails: PgEmailDeliveries,
    sender: HttpSender,
    mailer: Option<SmtpMailer>,
    settings: WorkerSettings,
}

impl Worker {
    /// Refuses an SMTP URL or sender it cannot use, so a typo stops the start, not every email.
    pub fn new(pool: PgPool, settings: WorkerSettings) -> Result<Worker, String> {
        let mailer = match &settings.smtp {
            Some((url, from)) => Some(SmtpMailer::new(url, from)?),
            None => None,
        };
        Ok(Worker {
            orders: PgOrders::new(pool.clone(), &settings.currency, Arc::new(ApiDocuments)),
            idempotency: PgIdempotency::new(pool.clone()),
            deliveries: PgDeliveries::new(pool.clone()),
            emails: PgEmailDeliveries::new(pool),
            sender: HttpSender::new(settings.allow_private),
            mailer,
            settings,
        })
    }

    fn plan(&self) -> DeliveryPlan {
        DeliveryPlan {
            retry: self.settings.retry,
            batch: DELIVERY_BATCH,
            fan_out_batch: FAN_OUT_BATCH,
            lease: LEASE,
        }
    }

    /// One expiry pass; returns how many orders expired.
    pub async fn run_once(&self) -> Result<usize, ApiError> {
        let orders = self.orders.clone();
        let placed_before = Utc::now() - self.settings.reservation_window;
        let expired =
            blocking::run(move || use_cases::expire_unpaid_orders(&orders, placed_before, BATCH)).await?;
        let keys = self.idempotency.clone();
        let purged = blocking::run(move || keys.purge_expired()).await?;
        if expired > 0 || purged > 0 {
            tracing::info!(expired, purged, "worker pass");
        }
        Ok(expired)
    }

    /// Delivers what is due, webhooks then customer emails, batch after batch until a batch
    /// comes back short.
    pub async fn deliver(&self) -> Result<DeliveryRound, ApiError> {
        let mut total = self.deliver_webhooks().await?;
        if let Some(mailer) = &self.mailer {
            loop {
                let (emails, mailer, plan) = (self.emails.clone(), mailer.clone(), self.plan());
                let round = blocking::run(move || {
                    let domain = mailer.domain().to_owned();
                    send_due_emails(
                        &emails,
                        &mailer,
                        &plan,
                        &domain,
                        &mut rand::random::<f64>,
                        &Utc::now,
                    )
                })
                .await?;
                total.delivered += round.delivered;
                total.failed += round.failed;
                total.dead += round.dead;
                if round.attempts() < DELIVERY_BATCH {
                    break;
                }
            }
        }
        Ok(total)
    }

    async fn deliver_webhooks(&self) -> Result<DeliveryRound, ApiError> {
        let mut total = DeliveryRound::default();
        loop {
            let (deliveries, sender, plan) = (self.deliveries.clone(), self.sender.clone(), self.plan());
            let emailing = self.mailer.is_some();
            let round = blocking::run(move || {
                deliver_due(
                    &deliveries,
                    &sender,
                    &plan,
                    emailing,
                    &mut rand::random::<f64>,
                    &Utc::now,
                )
            })
            .await?;
            total.delivered += round.delivered;
            total.failed += round.failed;
            total.dead += round.dead;
            for (outcome, count) in [
                ("delivered", round.delivered),
                ("failed", round.failed),
                ("dead", round.dead),
            ] {
                metrics::counter!("webhook_deliveries_total", "outcome" => outcome).increment(count as u64);
            }
            if round.attempts() < DELIVERY_BATCH {
                return Ok(total);
            }
        }
    }

    /// Runs until `stop` says so. Deliveries go out when a notification says events were
    /// written, and every second regardless; expiry runs every 30 s. A failed pass (say, the
    /// database is down) is logged and tried again later. A pass under way finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut listener: Option<Listener> = None;
        let mut next_listen = Instant::now();
        let mut next_poll = Instant::now();
        let mut next_expiry = Instant::now();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(LISTEN_CHECK) => {}
                _ = stop.wait_for(|stopping| *stopping) => break,
            }
            let now = Instant::now();
            if listener.is_none() && now >= next_listen {
                next_listen = now + RELISTEN;
                listener = self.listen().await;
                // Whatever was written while nobody listened is due now.
                next_poll = now;
            }
            let woken = match listener.as_mut().map(Listener::woken) {
                Some(Ok(woken)) => woken,
                Some(Err(error)) => {
                    tracing::warn!(%error, "lost the listening connection; polling until it is back");
                    listener = None;
                    false
                }
                None => false,
            };
            if woken || now >= next_poll {
                next_poll = now + POLL;
                self.measure_backlog().await;
                match self.deliver().await {
                    Ok(round) if round.attempts() > 0 => tracing::info!(
                        delivered = round.delivered,
                        failed = round.failed,
                        dead = round.dead,
                        "webhook deliveries"
                    ),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "delivery pass failed; retrying"),
                }
            }
            if now >= next_expiry {
                next_expiry = now + EXPIRY_TICK;
                if let Err(error) = self.run_once().await {
                    tracing::warn!(%error, "expiry pass failed; retrying next tick");
                }
            }
        }
        tracing::info!("worker stopped");
    }

    /// `outbox_pending` and `outbox_oldest_pending_seconds` for `/metrics`.
    async fn measure_backlog(&self) {
        let deliveries = self.deliveries.clone();
        if let Ok(backlog) = blocking::run(move || deliveries.backlog()).await {
            metrics::gauge!("outbox_pending").set(backlog.pending as f64);
            metrics::gauge!("outbox_oldest_pending_seconds").set(backlog.oldest_seconds);
        }
    }

    async fn listen(&self) -> Option<Listener> {
        let url = self.settings.listen_url.clone()?;
        match blocking::run(move || Listener::connect(&url).map_err(infra::store_error::store_error)).await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for new events; polling");
                None
            }
        }
    }
}
