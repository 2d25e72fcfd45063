//! Browsing the catalog: filters, sort orders and the keyset position of a page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field_errors::ErrorCode;
use crate::ids::ProductId;
use crate::money::Money;
use crate::page::Limit;
use crate::text::Category;

use super::product::Product;

/// The sort orders the catalog offers. Every one ends with the id, so the order is total
/// and a keyset position is unambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Id,
    PriceAscending,
    PriceDescending,
    Name,
    NewestFirst,
}

impl ProductSort {
    pub fn parse(raw: &str) -> Option<ProductSort> {
        match raw {
            "id" => Some(ProductSort::Id),
            "price" => Some(ProductSort::PriceAscending),
            "-price" => Some(ProductSort::PriceDescending),
            "name" => Some(ProductSort::Name),
            "-created_at" => Some(ProductSort::NewestFirst),
            _ => None,
        }
    }
}

/// Where a page ended, in the terms of its sort: the next page starts strictly after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "s", deny_unknown_fields)]
pub enum ProductKey {
    #[serde(rename = "id")]
    Id { id: ProductId },
    #[serde(rename = "p")]
    Price {
        price: Money,
        id: ProductId,
        descending: bool,
    },
    #[serde(rename = "n")]
    Name { name: String, id: ProductId },
    #[serde(rename = "c")]
    CreatedAt {
        created_at: DateTime<Utc>,
        id: ProductId,
    },
}

impl ProductKey {
    pub fn of(product: &Product, sort: ProductSort) -> ProductKey {
        let id = product.id;
        match sort {
            ProductSort::Id => ProductKey::Id { id },
            ProductSort::PriceAscending => ProductKey::Price {
                price: product.price.clone(),
                id,
                descending: false,
            },
            ProductSort::PriceDescending => ProductKey::Price {
                price: product.price.clone(),
                id,
                descending: true,
            },
            ProductSort::Name => ProductKey::Name {
                name: product.name.clone(),
                id,
            },
            ProductSort::NewestFirst => ProductKey::CreatedAt {
                created_at: product.created_at,
                id,
            },
        }
    }

    fn fits(&self, sort: ProductSort) -> bool {
        matches!(
            (self, sort),
            (ProductKey::Id { .. }, ProductSort::Id)
                | (
                    ProductKey::Price {
                        descending: false,
                        ..
                    },
                    ProductSort::PriceAscending
                )
                | (
                    ProductKey::Price { descending: true, .. },
                    ProductSort::PriceDescending
                )
                | (ProductKey::Name { .. }, ProductSort::Name)
                | (ProductKey::CreatedAt { .. }, ProductSort::NewestFirst)
        )
    }
}

/// Free text matched case-insensitively against name and description: 1..=100 printable characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub fn parse(raw: &str) -> Option<SearchText> {
        let text = raw.trim();
        let printable = !text.chars().any(char::is_control);
        (!text.is_empty() && text.chars().count() <= 100 && printable).then(|| SearchText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Inclusive price bounds; `min <= max` when both are given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceRange {
    pub min: Option<Money>,
    pub max: Option<Money>,
}

/// A request for one page of the catalog.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductQuery {
    pub text: Option<SearchText>,
    pub category: Option<Category>,
    pub price: PriceRange,
    pub in_stock: Option<bool>,
    pub include_archived: bool,
    pub sort: ProductSort,
    pub after: Option<ProductKey>,
    pub limit: Limit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductQueryError {
    #[error("min_price must not exceed max_price")]
    EmptyPriceRange,
    #[error("the cursor belongs to another sort order")]
    CursorForAnotherSort,
}

impl ErrorCode for ProductQueryError {
    fn code(&self) -> &'static str {
        "bad_query"
    }
}

impl ProductQuery {
    /// Checks the rules that span several parameters.
    pub fn check(&self) -> Result<(), ProductQueryError> {
        if let (Some(min), Some(max)) = (&self.price.min, &self.price.max)
            && min > max
        {
            return Err(ProductQueryError::EmptyPriceRange);
        }
        if self.after.as_ref().is_some_and(|key| !key.fits(self.sort)) {
            return Err(ProductQueryError::CursorForAnotherSort);
        }
        Ok(())
    }
}
