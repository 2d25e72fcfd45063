//! Why a promotion code was not applied.

/// A promotion that does not apply to this order, now: the API's `422 promo_invalid` with
/// [`PromoRefusal::as_str`] as its `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromoRefusal {
    #[error("no promotion has this code")]
    Unknown,
    #[error("the promotion has not started yet")]
    NotStarted,
    #[error("the promotion has ended")]
    Expired,
    #[error("the promotion is switched off")]
    Inactive,
    #[error("the eligible items do not reach the promotion's minimum subtotal")]
    MinSubtotal,
    #[error("no item of the order is eligible for the promotion")]
    NoEligibleItems,
    #[error("the customer has redeemed the promotion as often as allowed")]
    CustomerLimit,
}

impl PromoRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            PromoRefusal::Unknown => "unknown",
            PromoRefusal::NotStarted => "not_started",
            PromoRefusal::Expired => "expired",
            PromoRefusal::Inactive => "inactive",
            PromoRefusal::MinSubtotal => "min_subtotal",
            PromoRefusal::NoEligibleItems => "no_eligible_items",
            PromoRefusal::CustomerLimit => "customer_limit",
        }
    }
}

/// Why a promotion was not applied: refused for a reason of its own, or used up. Exhaustion is
/// apart because it is a conflict with other customers (`409 promo_exhausted`), not a property of
/// this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromoDenial {
    #[error(transparent)]
    Refused(#[from] PromoRefusal),
    #[error("the promotion has no redemptions left")]
    Exhausted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_stable_reason() {
        let reasons: Vec<&str> = [
            PromoRefusal::Unknown,
            PromoRefusal::NotStarted,
            PromoRefusal::Expired,
            PromoRefusal::Inactive,
            PromoRefusal::MinSubtotal,
            PromoRefusal::NoEligibleItems,
            PromoRefusal::CustomerLimit,
        ]
        .into_iter()
        .map(PromoRefusal::as_str)
        .collect();
        assert_eq!(
            reasons,
            [
                "unknown",
                "not_started",
                "expired",
                "inactive",
                "min_subtotal",
                "no_eligible_items",
                "customer_limit"
            ]
        );
    }
}
