//! Idempotency keys in Postgres: a unique (user, key) decides which of concurrent duplicates
//! executes, on any instance.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use domain::idempotency::{Claim, ClaimToken, ClaimedKey, IdempotencyKey, IdempotencyStore, StoredAnswer};
use domain::ids::{OrderId, UserId};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::idempotency_keys as keys;
use crate::store_error::store_error;

/// Keys are kept at least this long (the contract says 24 h).
pub const RETENTION_HOURS: i64 = 24;
/// An in-flight claim older than this was abandoned (its process died); it may be taken over.
const ABANDONED_AFTER_SECS: i64 = 60;

/// A token no claim had before: a sequence never hands out a number twice.
fn new_token() -> SqlLiteral<Nullable<BigInt>> {
    sql("nextval('idempotency_claim_tokens')")
}

#[derive(Clone)]
pub struct PgIdempotency {
    pool: PgPool,
}

impl PgIdempotency {
    pub fn new(pool: PgPool) -> Self {
        PgIdempotency { pool }
    }
}

type Stored = (String, Option<i16>, Option<Vec<u8>>, DateTime<Utc>, Option<i64>);

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
        let inserted: Option<i64> = diesel::insert_into(keys::table)
            .values((
                keys::user_id.eq(user.0),
                keys::key.eq(key.as_str()),
                keys::request_fingerprint.eq(fingerprint),
                keys::claim_token.eq(new_token()),
            ))
            .on_conflict_do_nothing()
            .returning(keys::claim_token.assume_not_null())
            .get_result(&mut conn)
            .optional()
            .map_err(store_error)?;
        if let Some(token) = inserted {
            return Ok(Claim::Execute(ClaimToken(token)));
        }
        let stored: Option<Stored> = this
            .select((
                keys::request_fingerprint,
                keys::response_status,
                keys::response_body,
                keys::created_at,
                keys::order_id,
            ))
            .first(&mut conn)
            .optional()
            .map_err(store_error)?;
        let Some((stored_fingerprint, code, body, created_at, order)) = stored else {
            // Purged between our insert and read: the next attempt starts afresh.
            return Ok(Claim::InFlight);
        };
        if stored_fingerprint != fingerprint {
            return Ok(Claim::Reused);
        }
        if let (Some(code), Some(body)) = (code, body) {
            return Ok(Claim::Replay(StoredAnswer {
                code: u16::try_from(code).unwrap_or(500),
                body,
            }));
        }
        let abandoned_before = Utc::now() - chrono::Duration::seconds(ABANDONED_AFTER_SECS);
        // A key bound to an order has its outcome: answering with that order at once is safe
        // however many retries do it. An unbound one is someone's work in progress until abandoned.
        if order.is_none() && created_at > abandoned_before {
            return Ok(Claim::InFlight);
        }
        // Take it over with a new token, fencing out the request that held it, unless another
        // request just did or answered. A placement in progress holds the key's row lock, so
        // this waits for it and then sees its order.
        let taken: Option<(Option<i64>, i64)> = diesel::update(
            this.filter(keys::response_status.is_null()).filter(
                keys::order_id
                    .is_not_null()
                    .or(keys::created_at.lt(abandoned_before)),
            ),
        )
        .set((
            keys::created_at.eq(diesel::dsl::now),
            keys::claim_token.eq(new_token()),
        ))
        .returning((keys::order_id, keys::claim_token.assume_not_null()))
        .get_result(&mut conn)
        .optional()
        .map_err(store_error)?;
        Ok(match taken {
            Some((Some(order), token)) => Claim::Placed(OrderId(order), ClaimToken(token)),
            Some((None, token)) => Claim::Execute(ClaimToken(token)),
            None => Claim::InFlight,
        })
    }

    fn complete(&self, user: UserId, claimed: &ClaimedKey, answer: &StoredAnswer) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::update(
            keys::table
                .filter(keys::user_id.eq(user.0))
                .filter(keys::key.eq(claimed.key.as_str()))
                .filter(keys::claim_token.eq(claimed.token.0))
                .filter(keys::response_status.is_null()),
        )
        .set((
            keys::response_status.eq(i16::try_from(answer.code).unwrap_or(500)),
            keys::response_body.eq(&answer.body),
            keys::completed_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .map_err(store_error)?;
        Ok(())
    }

    fn release(&self, user: UserId, claimed: &ClaimedKey) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        // Only our own claim, and only while no order is bound to it: the placing statement may
        // have committed even though its answer never came back (a connection lost after the
        // commit), and a retry must then find the order, not place another.
        diesel::delete(
            keys::table
                .filter(keys::user_id.eq(user.0))
                .filter(keys::key.eq(claimed.key.as_str()))
                .filter(keys::claim_token.eq(claimed.token.0))
                .filter(keys::order_id.is_null())
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
