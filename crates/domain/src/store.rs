//! The one failure every port may report: the store itself is in trouble, not the request.

/// What a port returns when the database could not answer.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The database is unreachable, the pool is exhausted, or a transaction kept conflicting.
    /// Callers should retry later (HTTP `503` with `Retry-After`).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The signed-in account was removed while its token was still believed: the caller is
    /// nobody now (HTTP `401`), not a broken invariant.
    #[error("the account no longer exists")]
    AccountGone,
    /// Anything else: a bug or a broken invariant. Logged in full, shown to nobody.
    #[error("unexpected database error: {0}")]
    Internal(String),
}
