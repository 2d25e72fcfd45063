//! Diesel's errors, translated into what the domain can act on.

use diesel::result::{DatabaseErrorKind, Error};
use domain::store::StoreError;

/// The name of the constraint a statement violated, if any: lets repositories turn
/// `products_sku_key` into `SkuTaken` instead of a 500.
pub fn violated_constraint(error: &Error) -> Option<&str> {
    match error {
        Error::DatabaseError(_, info) => info.constraint_name(),
        _ => None,
    }
}

pub fn is_unique_violation(error: &Error, constraint: &str) -> bool {
    matches!(error, Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
        && violated_constraint(error) == Some(constraint)
}

/// A failure worth retrying inside the service: a deadlock or a serialization conflict.
pub fn is_transient_conflict(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

pub fn store_error(error: Error) -> StoreError {
    match &error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => StoreError::Unavailable(error.to_string()),
        Error::DatabaseError(_, info)
            if info.message().contains("terminating connection")
                || info.message().contains("the database system is")
                || info.message().contains("too many clients") =>
        {
            StoreError::Unavailable(error.to_string())
        }
        _ if is_transient_conflict(&error) => StoreError::Unavailable(error.to_string()),
        _ => StoreError::Internal(error.to_string()),
    }
}
