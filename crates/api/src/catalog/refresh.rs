//! Keeps the product pages shoppers read fresh without making them wait: every quarter of a
//! second, the kept pages that were read again and are half a second old are rendered anew from
//! one query, before they expire. A product read all the time is then never a miss (which costs
//! a pool checkout, a query and a render on the request's path), while stock shown still lags by
//! a second at most: a page that is not refreshed in time expires as before.

use std::time::Duration;

use domain::catalog::Catalog;
use domain::ids::ProductId;
use infra::PgCatalog;

use super::cache::{CatalogPages, RenderedPage};
use super::views::ProductView;

const LOOK_EVERY: Duration = Duration::from_millis(250);

/// Half of `FRESH_FOR`: a page refreshed at this age, a look later at most, is renewed before
/// it expires.
const REFRESH_AFTER: Duration = Duration::from_millis(500);

/// Runs for the life of the process, as the catalog listener does.
pub fn spawn_product_refresher(pages: CatalogPages, catalog: PgCatalog, currency: String) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(LOOK_EVERY);
            let (due, began) = pages.product_pages_due(REFRESH_AFTER);
            if due.is_empty() {
                continue;
            }
            let ids: Vec<ProductId> = due.iter().copied().map(ProductId).collect();
            // When the database does not answer, the pages expire as they would have.
            let Ok(products) = catalog.products(&ids) else {
                continue;
            };
            let rendered = products
                .into_iter()
                .filter_map(|product| {
                    let (id, version) = (product.id.0, product.version);
                    let page = RenderedPage::product(&ProductView::new(product, &currency), version).ok()?;
                    Some((id, page))
                })
                .collect();
            pages.refreshed(began, &due, rendered);
        }
    });
}
