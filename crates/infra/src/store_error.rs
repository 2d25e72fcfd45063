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

/// Foreign keys from what a signed-in account writes to `users`: violating one means the account
/// was removed between the check of its token and the write.
const ACCOUNT_REFERENCES: [&str; 4] = [
    "orders_user_id_fkey",
    "idempotency_keys_user_id_fkey",
    "order_transitions_actor_id_fkey",
    "stock_movements_actor_id_fkey",
];

/// A row the constraints should have kept out (a status, cause or role no parser accepts): an
/// error naming the row, never a guess that would act on it.
pub fn corrupt_row(table: &str, id: i64, column: &str) -> StoreError {
    StoreError::Internal(format!("{table} row {id} has an invalid {column}"))
}

pub fn store_error(error: Error) -> StoreError {
    if let Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) = &error
        && info
            .constraint_name()
            .is_some_and(|name| ACCOUNT_REFERENCES.contains(&name))
    {
        return StoreError::AccountGone;
    }
    match &error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => StoreError::Unavailable(error.to_string()),
        Error::DatabaseError(_, info)
            if info.message().contains("terminating connection")
                || info.message().contains("the database system is")
                || info.message().contains("too many clients")
                // statement_timeout or lock_timeout: the request gave its connection back.
                || info.message().starts_with("canceling statement due to") =>
        {
            StoreError::Unavailable(error.to_string())
        }
        _ if is_transient_conflict(&error) => StoreError::Unavailable(error.to_string()),
        _ => StoreError::Internal(error.to_string()),
    }
}
