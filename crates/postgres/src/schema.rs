// Kept identical to `diesel print-schema` for the tables under `migrations/`.

diesel::table! {
    audit_chain (seq) {
        seq -> Int8,
        audit_id -> Int8,
        txid -> Int8,
        hash -> Bytea,
        sealed_at -> Timestamptz,
    }
}

diesel::table! {
    audit_logs (id) {
        id -> Int8,
        txid -> Int8,
        occurred_at -> Timestamptz,
        action -> Text,
        outcome -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        actor_user_id -> Nullable<Uuid>,
        actor_label -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        request_id -> Nullable<Text>,
        changes -> Jsonb,
        details -> Jsonb,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        idle_expires_at -> Timestamptz,
        absolute_expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (subject) {
        subject -> Text,
        failures -> Int4,
        last_failure_at -> Timestamptz,
        blocked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    profiles (user_id) {
        user_id -> Uuid,
        full_name -> Text,
        phone -> Nullable<Text>,
        image_url -> Nullable<Text>,
        bio -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        gender -> Nullable<Text>,
        language -> Text,
        timezone -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        issued_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        status -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        last_login_at -> Nullable<Timestamptz>,
        authz_ver -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(profiles -> users (user_id));
diesel::joinable!(refresh_tokens -> auth_sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_chain,
    audit_logs,
    auth_sessions,
    login_throttle,
    profiles,
    refresh_tokens,
    users,
);
