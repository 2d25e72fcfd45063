//! Payment provider events and what each does to an order.

use crate::field_errors::{ErrorCode, FieldErrors};
use crate::ids::OrderId;
use crate::money::Money;

use super::order::Order;
use super::status::OrderStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEventKind {
    Succeeded,
    Failed,
}

impl PaymentEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentEventKind::Succeeded => "payment.succeeded",
            PaymentEventKind::Failed => "payment.failed",
        }
    }
}

/// A verified event from the payment provider.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentEvent {
    /// The provider's event id: each is applied at most once.
    pub id: String,
    pub kind: PaymentEventKind,
    pub order_id: OrderId,
    pub amount: Money,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
struct Invalid(&'static str);

impl ErrorCode for Invalid {
    fn code(&self) -> &'static str {
        "invalid"
    }
}

impl PaymentEvent {
    pub fn parse(
        id: &str,
        kind: &str,
        order_id: i64,
        amount: &str,
        currency: &str,
    ) -> Result<PaymentEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id_ok = (1..=255).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic());
        if !id_ok {
            errors.add("id", "format", "must be 1 to 255 visible ASCII characters");
        }
        let kind = match kind {
            "payment.succeeded" => Some(PaymentEventKind::Succeeded),
            "payment.failed" => Some(PaymentEventKind::Failed),
            _ => {
                errors.add("type", "format", "must be payment.succeeded or payment.failed");
                None
            }
        };
        if order_id <= 0 {
            errors.add("data.order_id", "range", "must be a positive order id");
        }
        let amount = errors.check("data.amount", Money::parse_amount(amount));
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.check::<(), _>(
                "data.currency",
                Err(Invalid("must be an ISO 4217 code such as USD")),
            );
        }
        match (kind, amount) {
            (Some(kind), Some(amount)) if errors.is_empty() => Ok(PaymentEvent {
                id: id.to_owned(),
                kind,
                order_id: OrderId(order_id),
                amount,
                currency: currency.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// What became of an event; every outcome is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Applied,
    Duplicate,
    Rejected(&'static str),
}

impl PaymentOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentOutcome::Applied => "applied",
            PaymentOutcome::Duplicate => "duplicate",
            PaymentOutcome::Rejected(_) => "rejected",
        }
    }

    pub fn reason(&self) -> Option<&'static str> {
        match self {
            PaymentOutcome::Rejected(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Decides what a (new) event does to the order it names.
pub fn decide(event: &PaymentEvent, order: Option<&Order>) -> PaymentOutcome {
    let Some(order) = order else {
        return PaymentOutcome::Rejected("unknown_order");
    };
    match event.kind {
        // A failed payment leaves the order pending: the customer may pay again.
        PaymentEventKind::Failed => PaymentOutcome::Applied,
        PaymentEventKind::Succeeded if order.status != OrderStatus::Pending => {
            PaymentOutcome::Rejected("order_not_pending")
        }
        PaymentEventKind::Succeeded if order.currency != event.currency => {
            PaymentOutcome::Rejected("currency_mismatch")
        }
        PaymentEventKind::Succeeded if order.total_amount != event.amount => {
            PaymentOutcome::Rejected("amount_mismatch")
        }
        PaymentEventKind::Succeeded => PaymentOutcome::Applied,
    }
}
