//! The tables as Diesel sees them (kept by hand, in step with `migrations/`).

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Int8,
        sku -> Text,
        name -> Text,
        description -> Text,
        category -> Nullable<Text>,
        price -> Numeric,
        stock -> Int4,
        active -> Bool,
        low_stock_threshold -> Int4,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> Int8,
        product_id -> Int8,
        delta -> Int4,
        cause -> Text,
        reference -> Text,
        resulting_stock -> Int4,
        actor_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(stock_movements -> products (product_id));
diesel::allow_tables_to_appear_in_same_query!(users, products, stock_movements);
