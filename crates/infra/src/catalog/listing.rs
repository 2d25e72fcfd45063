//! The catalog listing as one keyset query: filters, then "strictly after the cursor" in the
//! sort's own terms, then `limit + 1` rows in an order an index can serve.

use diesel::pg::Pg;
use diesel::prelude::*;
use domain::catalog::{ProductKey, ProductQuery, ProductSort};

use crate::schema::products::{self, dsl};

use super::rows::ProductRow;

type ProductsQuery<'a> = products::BoxedQuery<'a, Pg, diesel::dsl::AsSelect<ProductRow, Pg>>;

/// `%`, `_` and `\` in the shopper's text are literals, not patterns.
fn contains_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

pub fn products_page(query: &ProductQuery) -> ProductsQuery<'_> {
    let mut q = products::table.select(ProductRow::as_select()).into_boxed();
    if !query.include_archived {
        q = q.filter(dsl::active.eq(true));
    }
    if let Some(text) = &query.text {
        let pattern = contains_pattern(text.as_str());
        q = q.filter(
            dsl::name
                .ilike(pattern.clone())
                .or(dsl::description.ilike(pattern)),
        );
    }
    if let Some(category) = &query.category {
        q = q.filter(dsl::category.eq(category.as_str().to_owned()));
    }
    if let Some(min) = &query.price.min {
        q = q.filter(dsl::price.ge(min.as_decimal().clone()));
    }
    if let Some(max) = &query.price.max {
        q = q.filter(dsl::price.le(max.as_decimal().clone()));
    }
    match query.in_stock {
        Some(true) => q = q.filter(dsl::stock.gt(0)),
        Some(false) => q = q.filter(dsl::stock.eq(0)),
        None => {}
    }
    q = after_key(q, query.after.as_ref());
    q = match query.sort {
        ProductSort::Id => q.order(dsl::id.asc()),
        ProductSort::PriceAscending => q.order((dsl::price.asc(), dsl::id.asc())),
        ProductSort::PriceDescending => q.order((dsl::price.desc(), dsl::id.desc())),
        ProductSort::Name => q.order((dsl::name.asc(), dsl::id.asc())),
        ProductSort::NewestFirst => q.order((dsl::created_at.desc(), dsl::id.desc())),
    };
    let fetch = i64::try_from(query.limit.get() + 1).unwrap_or(i64::MAX);
    q.limit(fetch)
}

/// Rows strictly after the key in the sort's order; ties on the sort value are broken by id,
/// which keeps pages disjoint and stable while rows are inserted.
fn after_key<'a>(q: ProductsQuery<'a>, key: Option<&ProductKey>) -> ProductsQuery<'a> {
    let Some(key) = key else { return q };
    match key.clone() {
        ProductKey::Id { id } => q.filter(dsl::id.gt(id.0)),
        ProductKey::Price {
            price,
            id,
            descending: false,
        } => {
            let price = price.as_decimal().clone();
            q.filter(
                dsl::price
                    .gt(price.clone())
                    .or(dsl::price.eq(price).and(dsl::id.gt(id.0))),
            )
        }
        ProductKey::Price {
            price,
            id,
            descending: true,
        } => {
            let price = price.as_decimal().clone();
            q.filter(
                dsl::price
                    .lt(price.clone())
                    .or(dsl::price.eq(price).and(dsl::id.lt(id.0))),
            )
        }
        ProductKey::Name { name, id } => q.filter(
            dsl::name
                .gt(name.clone())
                .or(dsl::name.eq(name).and(dsl::id.gt(id.0))),
        ),
        ProductKey::CreatedAt { created_at, id } => q.filter(
            dsl::created_at
                .lt(created_at)
                .or(dsl::created_at.eq(created_at).and(dsl::id.lt(id.0))),
        ),
    }
}
