//! Typed identifiers, so a product id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A product in the catalog.
    ProductId
);
id_type!(
    /// A registered account, customer or staff.
    UserId
);
id_type!(
    /// A customer's order.
    OrderId
);
id_type!(
    /// A promotion customers redeem with its code.
    PromotionId
);
