//! `Idempotency-Key`: a client's retry of a creating request gets the first answer again
//! instead of a second order. Keys live in the database, so every instance agrees.

use crate::field_errors::ErrorCode;
use crate::ids::{OrderId, UserId};
use crate::store::StoreError;

/// 1..=255 visible ASCII characters, scoped to the user who sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
pub struct IdempotencyKeyError;

impl ErrorCode for IdempotencyKeyError {
    fn code(&self) -> &'static str {
        "format"
    }
}

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<IdempotencyKey, IdempotencyKeyError> {
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(IdempotencyKeyError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a request carrying a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use (or an expired or abandoned one): execute the request.
    Execute,
    /// Done before with the same body: answer this again, execute nothing.
    Replay { status: u16, body: Vec<u8> },
    /// Another request with this key is still running.
    InFlight,
    /// The key was used with a different body.
    Reused,
    /// An earlier attempt placed this order but died before saving its answer.
    Placed(OrderId),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key for this request. MUST decide with a unique constraint (insert first),
    /// so that of concurrent duplicates exactly one gets `Execute`.
    fn claim(&self, user: UserId, key: &IdempotencyKey, fingerprint: &str) -> Result<Claim, StoreError>;

    /// Saves the answer to replay.
    fn complete(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        status: u16,
        body: &[u8],
    ) -> Result<(), StoreError>;

    /// Forgets a claim whose request failed for reasons worth retrying (the store was down).
    fn release(&self, user: UserId, key: &IdempotencyKey) -> Result<(), StoreError>;

    /// Deletes keys older than the retention window; returns how many.
    fn purge_expired(&self) -> Result<usize, StoreError>;
}
