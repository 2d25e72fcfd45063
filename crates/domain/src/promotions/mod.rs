//! Promotions: codes customers type at checkout, when one applies, and how its discount is spread
//! over the order's lines.

pub mod allocation;
pub mod code;
pub mod eligibility;
pub mod promotion;
pub mod refusal;

pub use allocation::allocate;
pub use code::{PromoCode, PromoCodeError};
pub use eligibility::{DiscountLine, PromotionChoice, apply};
pub use promotion::{DiscountKind, Promotion};
pub use refusal::{PromoDenial, PromoRefusal};
