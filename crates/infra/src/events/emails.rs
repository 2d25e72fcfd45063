//! Customer emails from the outbox: claims and attempts on Postgres, and the SMTP mailer
//! (`lettre`: a maintained SMTP client with TLS, not ours to write).

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use domain::events::email::{CustomerEmail, DueEmail};
use domain::events::ports::{EmailDeliveries, Mailer, NextStep};
use domain::events::{DeliveryStatus, EventType};
use domain::store::StoreError;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};

use crate::pool::{PgPool, checkout};
use crate::store_error::{corrupt_row, store_error};

#[derive(Clone)]
pub struct PgEmailDeliveries {
    pool: PgPool,
}

impl PgEmailDeliveries {
    pub fn new(pool: PgPool) -> Self {
        PgEmailDeliveries { pool }
    }
}

/// Claims due emails as deliveries are claimed (`SKIP LOCKED`, then a lease), with the order's
/// customer as the recipient.
const CLAIM_DUE_EMAILS: &str = "
WITH due AS (
    SELECT event_id FROM email_deliveries
     WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
       AND (leased_until IS NULL OR leased_until < now())
     ORDER BY next_attempt_at
     LIMIT $1
       FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE email_deliveries m SET leased_until = now() + make_interval(secs => $2)
      FROM due WHERE m.event_id = due.event_id
    RETURNING m.event_id, m.attempts
)
SELECT c.event_id, c.attempts, ev.type AS kind, ev.data, u.email, u.name
  FROM claimed c
  JOIN events ev ON ev.id = c.event_id
  JOIN users u ON u.id = (ev.data->>'user_id')::bigint";

const RECORD_EMAIL_ATTEMPT: &str = "
UPDATE email_deliveries
   SET status = $2, attempts = attempts + 1, last_error = $3, last_attempt_at = now(),
       next_attempt_at = COALESCE($4, next_attempt_at), leased_until = NULL
 WHERE event_id = $1";

#[derive(QueryableByName)]
struct ClaimedEmail {
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Jsonb)]
    data: serde_json::Value,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
}

impl EmailDeliveries for PgEmailDeliveries {
    fn claim_due_emails(&self, limit: usize, lease: Duration) -> Result<Vec<DueEmail>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let rows: Vec<ClaimedEmail> = diesel::sql_query(CLAIM_DUE_EMAILS)
            .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
            .load(&mut conn)
            .map_err(store_error)?;
        rows.into_iter()
            .map(|row| {
                Ok(DueEmail {
                    event_id: row.event_id,
                    attempts: u32::try_from(row.attempts).unwrap_or(0),
                    kind: EventType::parse(&row.kind)
                        .ok_or_else(|| corrupt_row("events", row.event_id, "type"))?,
                    recipient: row.email,
                    recipient_name: row.name,
                    order: row.data,
                })
            })
            .collect()
    }

    fn record_email_attempt(
        &self,
        event_id: i64,
        error: Option<&str>,
        next: NextStep,
    ) -> Result<(), StoreError> {
        let (status, retry_at) = match next {
            NextStep::Delivered => (DeliveryStatus::Delivered, None),
            NextStep::RetryAt(at) => (DeliveryStatus::Failed, Some(at)),
            NextStep::Dead => (DeliveryStatus::Dead, None),
        };
        let mut conn = checkout(&self.pool)?;
        diesel::sql_query(RECORD_EMAIL_ATTEMPT)
            .bind::<BigInt, _>(event_id)
            .bind::<Text, _>(status.as_str())
            .bind::<Nullable<Text>, _>(error)
            .bind::<Nullable<Timestamptz>, _>(retry_at)
            .execute(&mut conn)
            .map(drop)
            .map_err(store_error)
    }
}

/// Sends through the SMTP server of `STOCKROOM_SMTP_URL`, from `STOCKROOM_EMAIL_FROM`.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMailer {
    /// `url` as lettre reads it: `smtp://host:port` (plain), `smtp://…?tls=required`, or
    /// `smtps://user:pass@host` (TLS). An answer slower than 10 s fails the attempt.
    pub fn new(url: &str, from: &str) -> Result<SmtpMailer, String> {
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| format!("invalid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| format!("invalid sender address: {e}"))?;
        Ok(SmtpMailer { transport, from })
    }

    /// The domain that ends each `Message-ID`: the sender's.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, email: &CustomerEmail) -> Result<(), String> {
        let to = Mailbox::new(
            Some(email.to_name.clone()),
            email.to.parse().map_err(|e| format!("invalid recipient: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(email.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| format!("cannot build the email: {e}"))?;
        self.transport
            .send(&message)
            .map(drop)
            .map_err(|e| format!("the mail server did not take it: {e}"))
    }
}
