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

/// A claim's fencing token. Every claim of a key (the first, and each takeover of an abandoned
/// one) gets a new token, and the key only answers to the latest: a request that stalled past
/// the takeover can no longer place, save or release anything under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimToken(pub i64);

/// A key as one request holds it: what that request places, saves and releases under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    pub key: IdempotencyKey,
    pub token: ClaimToken,
}

/// The first answer, kept to be given again. The caller encodes it and reads it back; the
/// domain only stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// What kind of answer it was, in the caller's own numbering.
    pub code: u16,
    pub body: Vec<u8>,
}

/// What a request carrying a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use (or an expired or abandoned one): execute the request under this token.
    Execute(ClaimToken),
    /// Done before with the same body: answer this again, execute nothing.
    Replay(StoredAnswer),
    /// Another request with this key is still running.
    InFlight,
    /// The key was used with a different body.
    Reused,
    /// An earlier attempt placed this order but its answer was never saved (it died, or lost
    /// its connection after the commit): answer with the order, saving under this token.
    Placed(OrderId, ClaimToken),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key for this request. MUST decide with a unique constraint (insert first),
    /// so that of concurrent duplicates exactly one gets `Execute`; MUST give every `Execute`
    /// a token no earlier claim of the key had.
    fn claim(&self, user: UserId, key: &IdempotencyKey, fingerprint: &str) -> Result<Claim, StoreError>;

    /// Saves the answer to replay, unless the claim was taken over or an answer is saved.
    fn complete(&self, user: UserId, claimed: &ClaimedKey, answer: &StoredAnswer) -> Result<(), StoreError>;

    /// Forgets a claim whose request failed for reasons worth retrying (the store was down),
    /// so that a retry executes afresh. MUST keep a key bound to an order (the order was
    /// committed: a retry answers with it) and a key taken over by another request.
    fn release(&self, user: UserId, claimed: &ClaimedKey) -> Result<(), StoreError>;

    /// Deletes keys older than the retention window; returns how many.
    fn purge_expired(&self) -> Result<usize, StoreError>;
}
