//! The tables as Diesel sees them (kept by hand, in step with `migrations/`).

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        token_version -> Int4,
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

diesel::table! {
    orders (id) {
        id -> Int8,
        user_id -> Int8,
        status -> Text,
        currency -> Text,
        total_amount -> Numeric,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        paid_at -> Nullable<Timestamptz>,
        shipped_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        subtotal -> Nullable<Numeric>,
        discount_total -> Numeric,
        shipping_total -> Numeric,
        promotion_id -> Nullable<Int8>,
        promo_code -> Nullable<Text>,
        shipping_option -> Nullable<Text>,
    }
}

diesel::table! {
    order_items (order_id, product_id) {
        order_id -> Int8,
        product_id -> Int8,
        sku -> Text,
        name -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        line_total -> Numeric,
        discount -> Numeric,
    }
}

diesel::table! {
    promotions (id) {
        id -> Int8,
        code -> Text,
        kind -> Text,
        value -> Numeric,
        min_subtotal -> Nullable<Numeric>,
        category -> Nullable<Text>,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        max_redemptions -> Nullable<Int4>,
        max_per_customer -> Nullable<Int4>,
        redemptions -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    promotion_customers (promotion_id, user_id) {
        promotion_id -> Int8,
        user_id -> Int8,
        redemptions -> Int4,
    }
}

diesel::table! {
    shipping_options (code) {
        code -> Text,
        name -> Text,
        price -> Numeric,
        free_over -> Nullable<Numeric>,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    order_transitions (id) {
        id -> Int8,
        order_id -> Int8,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<Int8>,
        reason -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Int8,
        key -> Text,
        request_fingerprint -> Text,
        order_id -> Nullable<Int8>,
        response_status -> Nullable<Int2>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        claim_token -> Nullable<Int8>,
    }
}

diesel::table! {
    payment_events (event_id) {
        event_id -> Text,
        event_type -> Text,
        order_id -> Int8,
        amount -> Numeric,
        currency -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
        #[sql_name = "type"]
        kind -> Text,
        aggregate_type -> Text,
        aggregate_id -> Int8,
        sequence -> Int4,
        data -> Jsonb,
        created_at -> Timestamptz,
        fanned_out -> Bool,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Int8,
        url -> Text,
        events -> Array<Text>,
        description -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        active -> Bool,
        failing_since -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (endpoint_id, event_id) {
        endpoint_id -> Int8,
        event_id -> Int8,
        status -> Text,
        attempts -> Int4,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamptz>,
        next_attempt_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    console_sessions (id) {
        id -> Bytea,
        user_id -> Int8,
        csrf_token -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(webhook_deliveries -> events (event_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(order_transitions -> orders (order_id));
diesel::allow_tables_to_appear_in_same_query!(
    orders,
    order_items,
    order_transitions,
    products,
    users,
    stock_movements,
    idempotency_keys,
    payment_events,
    promotions,
    promotion_customers,
    shipping_options,
    events,
    webhook_endpoints,
    webhook_deliveries,
    console_sessions
);
