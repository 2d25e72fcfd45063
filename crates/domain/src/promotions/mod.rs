//! Promotions: codes customers type at checkout, when one applies, and how its discount is spread
//! over the order's lines; and how staff manage them.

pub mod allocation;
pub mod code;
pub mod eligibility;
pub mod ports;
pub mod promotion;
pub mod refusal;
pub mod use_cases;

pub use allocation::allocate;
pub use code::{PromoCode, PromoCodeError};
pub use eligibility::{DiscountLine, PromotionChoice, apply};
pub use ports::{NewPromotion, PromotionChanges, PromotionFilter, Promotions, StoredPromotion};
pub use promotion::{DiscountKind, Promotion};
pub use refusal::{PromoDenial, PromoRefusal};
pub use use_cases::PromotionError;
