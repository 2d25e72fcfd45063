//! Idempotency keys in Postgres: a unique (user, key) decides which of concurrent duplicates
//! executes, on any instance.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::idempotency::{Claim, IdempotencyKey, IdempotencyStore};
use domain::ids::{OrderId, UserId};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::idempotency_keys as keys;
use crate::store_error::store_error;

/// Keys are kept at least this long (the contract says 24 h).
pub const RETENTION_HOURS: i64 = 24;
/// An in-flight claim older than this was abandoned (its process died); it may be taken over.
const ABANDONED_AFTER_SECS: i64 = 60;

#[derive(Clone)]
pub struct PgIdempotency {
    pool: PgPool,
}

impl PgIdempotency {
    pub fn new(pool: PgPool) -> Self {
        PgIdempotency { pool }
    }
}

type Stored = (String, Option<i16>, Option<Vec<u8>>, DateTime<Utc>);

impl IdempotencyStore for PgIdempotency {
    fn claim(&self, user: UserId, key: &IdempotencyKey, fingerprint: &str) -> Result<Claim, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let this = keys::table
            .filter(keys::user_id.eq(user.0))
            .filter(keys::key.eq(key.as_str()));
        let expired = Utc::now() - chrono::Duration::hours(RETENTION_HOURS);
        diesel::delete(this.filter(keys::created_at.lt(expired)))
            .execute(&mut conn)
            .map_err(store_error)?;
        // Insert first: the primary key lets exactly one of concurrent duplicates through.
        let inserted = diesel::insert_into(keys::table)
            .values((
                keys::user_id.eq(user.0),
                keys::key.eq(key.as_str()),
                keys::request_fingerprint.eq(fingerprint),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .map_err(store_error)?;
        if inserted == 1 {
            return Ok(Claim::Execute);
        }
        let stored: Option<Stored> = this
            .select((
                keys::request_fingerprint,
                keys::response_status,
                keys::response_body,
                keys::created_at,
            ))
            .first(&mut conn)
            .optional()
            .map_err(store_error)?;
        let Some((stored_fingerprint, status, body, created_at)) = stored else {
            // Purged between our insert and read: the next attempt starts afresh.
            return Ok(Claim::InFlight);
        };
        if stored_fingerprint != fingerprint {
            return Ok(Claim::Reused);
        }
        if let (Some(status), Some(body)) = (status, body) {
            return Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
            });
        }
        if created_at > Utc::now() - chrono::Duration::seconds(ABANDONED_AFTER_SECS) {
            return Ok(Claim::InFlight);
        }
        // Abandoned: take it over, unless another request just did.
        let abandoned_before = Utc::now() - chrono::Duration::seconds(ABANDONED_AFTER_SECS);
        let taken: Option<Option<i64>> = diesel::update(
            this.filter(keys::response_status.is_null())
                .filter(keys::created_at.lt(abandoned_before)),
        )
        .set(keys::created_at.eq(diesel::dsl::now))
        .returning(keys::order_id)
        .get_result(&mut conn)
        .optional()
        .map_err(store_error)?;
        Ok(match taken {
            Some(Some(order)) => Claim::Placed(OrderId(order)),
            Some(None) => Claim::Execute,
            None => Claim::InFlight,
        })
    }

    fn complete(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        status: u16,
        body: &[u8],
    ) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::update(
            keys::table
                .filter(keys::user_id.eq(user.0))
                .filter(keys::key.eq(key.as_str())),
        )
        .set((
            keys::response_status.eq(i16::try_from(status).unwrap_or(500)),
            keys::response_body.eq(body),
            keys::completed_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .map_err(store_error)?;
        Ok(())
    }

    fn release(&self, user: UserId, key: &IdempotencyKey) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::delete(
            keys::table
                .filter(keys::user_id.eq(user.0))
                .filter(keys::key.eq(key.as_str()))
                .filter(keys::response_status.is_null()),
        )
        .execute(&mut conn)
        .map_err(store_error)?;
        Ok(())
    }

    fn purge_expired(&self) -> Result<usize, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let expired = Utc::now() - chrono::Duration::hours(RETENTION_HOURS);
        diesel::delete(keys::table.filter(keys::created_at.lt(expired)))
            .execute(&mut conn)
            .map_err(store_error)
    }
}
