//! Products: the catalog as staff browse it (search, category, in stock, pages), a product's
//! page with its edit form, stock adjustment, archiving and stock ledger, and the new-product
//! form. Forms are read into the API's own request types and parsed by their rules.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use domain::catalog::use_cases::{self, Viewer};
use domain::catalog::{Product, StockMovement};
use domain::ids::ProductId;

use crate::catalog::requests::{
    CreateProductRequest, ListProductsParams, PageParams, PatchProductRequest, StockAdjustmentRequest,
};
use crate::console::csrf::ConsolePost;
use crate::console::error::PageError;
use crate::console::form::{FieldMessages, FormFields};
use crate::console::render::{self, Layout, Section};
use crate::console::session::ConsoleStaff;
use crate::http::blocking;
use crate::state::AppState;

const PAGE_SIZE: &str = "25";
const LEDGER_PAGE_SIZE: &str = "50";

/// A product as a row of a table.
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub price: String,
    pub stock: i32,
    pub low_stock_threshold: i32,
    pub active: bool,
    /// At or below its threshold while on sale: the low-stock report's rule, shown.
    pub low: bool,
}

impl From<Product> for ProductRow {
    fn from(product: Product) -> ProductRow {
        ProductRow {
            id: product.id.0,
            low: product.active && product.stock <= product.low_stock_threshold,
            sku: product.sku,
            name: product.name,
            category: product.category.unwrap_or_default(),
            price: product.price.to_string(),
            stock: product.stock,
            low_stock_threshold: product.low_stock_threshold,
            active: product.active,
        }
    }
}

/// The filters of the list, as typed, to fill the form again and to build the next page's link.
struct Filters {
    q: Option<String>,
    category: Option<String>,
    in_stock: Option<String>,
}

impl Filters {
    fn read(query: &FormFields) -> Filters {
        Filters {
            q: query.owned("q"),
            category: query.owned("category"),
            in_stock: query.owned("in_stock"),
        }
    }

    fn href(&self, cursor: Option<&str>) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_deref()),
            ("category", self.category.as_deref()),
            ("in_stock", self.in_stock.as_deref()),
            ("cursor", cursor),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect();
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        if query.is_empty() {
            "/admin/products".into()
        } else {
            format!("/admin/products?{query}")
        }
    }

    fn in_stock_is(&self, value: &str) -> bool {
        self.in_stock.as_deref().unwrap_or("") == value
    }
}

#[derive(Template)]
#[template(path = "console/products.html")]
struct ProductsPage {
    layout: Layout,
    currency: String,
    filters: Filters,
    messages: FieldMessages,
    products: Vec<ProductRow>,
    first_page: Option<String>,
    next_page: Option<String>,
}

/// The catalog, archived products included, by name; searched and filtered as `GET
/// /v1/products` is.
pub async fn list(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let filters = Filters::read(&query);
    let cursor = query.owned("cursor");
    let params = ListProductsParams {
        q: filters.q.clone(),
        category: filters.category.clone(),
        min_price: None,
        max_price: None,
        in_stock: filters.in_stock.clone(),
        sort: Some("name".into()),
        include_archived: Some("true".into()),
        limit: Some(PAGE_SIZE.into()),
        cursor: cursor.clone(),
    };
    let layout = Layout::signed_in(&staff, Section::Products, "Products");
    let mut page = ProductsPage {
        layout,
        currency: state.currency.clone(),
        messages: FieldMessages::default(),
        products: Vec::new(),
        first_page: cursor.is_some().then(|| filters.href(None)),
        next_page: None,
        filters,
    };
    let product_query = match params.parse(&state.cursors) {
        Ok(product_query) => product_query,
        Err(refusal) => {
            page.messages = FieldMessages::from_refusal(refusal)?;
            return render::page_with_status(StatusCode::BAD_REQUEST, &page);
        }
    };
    let catalog = state.catalog.clone();
    let found = blocking::run(move || use_cases::browse(&catalog, &product_query, Viewer::Staff)).await?;
    page.next_page = found
        .next
        .map(|key| page.filters.href(Some(&state.cursors.encode(&key))));
    page.products = found.items.into_iter().map(ProductRow::from).collect();
    render::page(&page)
}

/// A product's fields as the form shows them: the stored values, or what was just typed.
#[derive(Default)]
struct ProductForm {
    sku: String,
    name: String,
    description: String,
    category: String,
    price: String,
    stock: String,
    low_stock_threshold: String,
    version: String,
}

impl ProductForm {
    fn of(product: &Product) -> ProductForm {
        ProductForm {
            sku: product.sku.clone(),
            name: product.name.clone(),
            description: product.description.clone(),
            category: product.category.clone().unwrap_or_default(),
            price: product.price.to_string(),
            stock: product.stock.to_string(),
            low_stock_threshold: product.low_stock_threshold.to_string(),
            version: product.version.to_string(),
        }
    }

    fn typed(fields: &FormFields) -> ProductForm {
        let text = |name: &str| fields.owned(name).unwrap_or_default();
        ProductForm {
            sku: text("sku"),
            name: text("name"),
            description: text("description"),
            category: text("category"),
            price: text("price"),
            stock: text("stock"),
            low_stock_threshold: text("low_stock_threshold"),
            version: text("version"),
        }
    }
}

#[derive(Template)]
#[template(path = "console/product_new.html")]
struct NewProductPage {
    layout: Layout,
    currency: String,
    form: ProductForm,
    messages: FieldMessages,
}

pub async fn new(state: Data<AppState>, staff: ConsoleStaff) -> Result<HttpResponse, PageError> {
    render::page(&NewProductPage {
        layout: Layout::signed_in(&staff, Section::Products, "New product"),
        currency: state.currency.clone(),
        form: ProductForm {
            low_stock_threshold: domain::catalog::LowStockThreshold::DEFAULT.get().to_string(),
            ..ProductForm::default()
        },
        messages: FieldMessages::default(),
    })
}

pub async fn create(state: Data<AppState>, post: ConsolePost) -> Result<HttpResponse, PageError> {
    let fields = &post.fields;
    let mut messages = FieldMessages::default();
    let request = CreateProductRequest {
        sku: Some(fields.owned("sku").unwrap_or_default()),
        name: Some(fields.owned("name").unwrap_or_default()),
        description: fields.owned("description"),
        category: fields.owned("category"),
        price: Some(fields.owned("price").unwrap_or_default()),
        stock: fields.number("stock", &mut messages),
        low_stock_threshold: fields.number("low_stock_threshold", &mut messages),
    };
    let refusal = match request.parse() {
        Ok(new) if messages.is_empty() => {
            let (catalog, actor) = (state.catalog.clone(), post.staff.user_id);
            match blocking::run(move || use_cases::create_product(&catalog, &new, Some(actor))).await {
                Ok(product) => {
                    return Ok(render::see_other(&format!(
                        "/admin/products/{}?done=created",
                        product.id
                    )));
                }
                Err(refusal) => Some(refusal),
            }
        }
        Ok(_) => None,
        Err(refusal) => Some(refusal),
    };
    messages.merge(refusal)?;
    render::page_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewProductPage {
            layout: Layout::signed_in(&post.staff, Section::Products, "New product"),
            currency: state.currency.clone(),
            form: ProductForm::typed(fields),
            messages,
        },
    )
}

/// A line of the stock ledger.
struct MovementRow {
    at: String,
    delta: String,
    cause: &'static str,
    reference: String,
    resulting_stock: i32,
    actor: String,
}

impl From<StockMovement> for MovementRow {
    fn from(movement: StockMovement) -> MovementRow {
        MovementRow {
            at: render::moment(movement.created_at),
            delta: format!("{:+}", movement.delta),
            cause: movement.cause.as_str(),
            reference: movement.reference,
            resulting_stock: movement.resulting_stock,
            actor: movement.actor_id.map(|id| format!("#{id}")).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/product.html")]
struct ProductPage {
    layout: Layout,
    currency: String,
    product: ProductRow,
    form: ProductForm,
    messages: FieldMessages,
    delta: String,
    reason: String,
    adjustment_messages: FieldMessages,
    ledger: Vec<MovementRow>,
    ledger_first: Option<String>,
    ledger_next: Option<String>,
}

/// What the product page shows besides the product: forms as typed, messages, the ledger page.
#[derive(Default)]
struct Shown {
    form: Option<ProductForm>,
    messages: FieldMessages,
    delta: String,
    reason: String,
    adjustment_messages: FieldMessages,
    ledger_cursor: Option<String>,
    notice: Option<&'static str>,
}

async fn product_page(
    state: &AppState,
    staff: &ConsoleStaff,
    id: ProductId,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (limit, after) = PageParams {
        limit: Some(LEDGER_PAGE_SIZE.into()),
        cursor: shown.ledger_cursor.clone(),
    }
    .parse::<i64>(&state.cursors)?;
    let catalog = state.catalog.clone();
    let (product, ledger) = blocking::run(move || {
        let product = use_cases::product_details(&catalog, id)?;
        let ledger = use_cases::stock_ledger(&catalog, id, after, limit)?;
        Ok::<_, domain::catalog::CatalogError>((product, ledger))
    })
    .await?;
    let href = |cursor: Option<String>| match cursor {
        Some(cursor) => format!(
            "/admin/products/{id}?{}",
            serde_urlencoded::to_string([("cursor", cursor)]).unwrap_or_default()
        ),
        None => format!("/admin/products/{id}"),
    };
    let title = product.name.clone();
    render::page_with_status(
        status,
        &ProductPage {
            layout: Layout::signed_in(staff, Section::Products, title).with_notice(shown.notice),
            currency: state.currency.clone(),
            form: shown.form.unwrap_or_else(|| ProductForm::of(&product)),
            product: ProductRow::from(product),
            messages: shown.messages,
            delta: shown.delta,
            reason: shown.reason,
            adjustment_messages: shown.adjustment_messages,
            ledger_first: shown.ledger_cursor.is_some().then(|| href(None)),
            ledger_next: ledger.next.map(|key| href(Some(state.cursors.encode(&key)))),
            ledger: ledger.items.into_iter().map(MovementRow::from).collect(),
        },
    )
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    staff: ConsoleStaff,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let query = FormFields::from_query(req.query_string())?;
    let shown = Shown {
        ledger_cursor: query.owned("cursor"),
        notice: render::notice(&query),
        ..Shown::default()
    };
    product_page(&state, &staff, ProductId(id.into_inner()), shown, StatusCode::OK).await
}

/// Saves the edit form, unless someone changed the product since the form was shown.
pub async fn save(
    state: Data<AppState>,
    post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = ProductId(id.into_inner());
    let fields = &post.fields;
    let mut messages = FieldMessages::default();
    let version = fields.number("version", &mut messages);
    let request = PatchProductRequest {
        name: Some(fields.owned("name").unwrap_or_default()),
        description: Some(fields.owned("description").unwrap_or_default()),
        // An empty category clears it.
        category: Some(fields.owned("category")),
        price: Some(fields.owned("price").unwrap_or_default()),
        active: None,
        low_stock_threshold: fields.number("low_stock_threshold", &mut messages),
    };
    let refusal = match request.parse() {
        Ok(changes) if messages.is_empty() => {
            let catalog = state.catalog.clone();
            match blocking::run(move || use_cases::change_product(&catalog, id, &changes, version)).await {
                Ok(_) => return Ok(render::see_other(&format!("/admin/products/{id}?done=saved"))),
                Err(refusal) => Some(refusal),
            }
        }
        Ok(_) => None,
        Err(refusal) => Some(refusal),
    };
    messages.merge(refusal)?;
    let shown = Shown {
        form: Some(ProductForm::typed(fields)),
        messages,
        ..Shown::default()
    };
    product_page(&state, &post.staff, id, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Adds or takes out stock with a reason; the ledger records it.
pub async fn adjust_stock(
    state: Data<AppState>,
    post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = ProductId(id.into_inner());
    let fields = &post.fields;
    let mut messages = FieldMessages::default();
    let request = StockAdjustmentRequest {
        delta: fields.number("delta", &mut messages),
        reason: fields.owned("reason"),
    };
    let refusal = match request.parse() {
        Ok(adjustment) if messages.is_empty() => {
            let (catalog, actor) = (state.catalog.clone(), post.staff.user_id);
            match blocking::run(move || use_cases::adjust_stock(&catalog, id, &adjustment, actor)).await {
                Ok(_) => return Ok(render::see_other(&format!("/admin/products/{id}?done=adjusted"))),
                Err(refusal) => Some(refusal),
            }
        }
        Ok(_) => None,
        Err(refusal) => Some(refusal),
    };
    messages.merge(refusal)?;
    let shown = Shown {
        delta: fields.owned("delta").unwrap_or_default(),
        reason: fields.owned("reason").unwrap_or_default(),
        adjustment_messages: messages,
        ..Shown::default()
    };
    product_page(&state, &post.staff, id, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Takes the product out of sale; it stays in orders and in this list.
pub async fn archive(
    state: Data<AppState>,
    _post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = ProductId(id.into_inner());
    let catalog = state.catalog.clone();
    blocking::run(move || use_cases::archive_product(&catalog, id)).await?;
    Ok(render::see_other(&format!("/admin/products/{id}?done=archived")))
}

/// Puts an archived product back on sale.
pub async fn restore(
    state: Data<AppState>,
    _post: ConsolePost,
    id: Path<i64>,
) -> Result<HttpResponse, PageError> {
    let id = ProductId(id.into_inner());
    let changes = PatchProductRequest {
        name: None,
        description: None,
        category: None,
        price: None,
        active: Some(true),
        low_stock_threshold: None,
    }
    .parse()?;
    let catalog = state.catalog.clone();
    blocking::run(move || use_cases::change_product(&catalog, id, &changes, None)).await?;
    Ok(render::see_other(&format!("/admin/products/{id}?done=restored")))
}
