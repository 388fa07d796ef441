// Kept identical to `diesel print-schema` for the tables under `migrations/`.

diesel::table! {
    audit_chain (seq) {
        seq -> Int8,
        audit_id -> Int8,
        txid -> Int8,
        hash -> Bytea,
        sealed_at -> Timestamptz,
        hash_version -> Int2,
    }
}

diesel::table! {
    audit_logs (id) {
        id -> Int8,
        txid -> Int8,
        occurred_at -> Timestamptz,
        #[max_length = 100]
        action -> Varchar,
        outcome -> Text,
        #[max_length = 100]
        entity_type -> Varchar,
        #[max_length = 100]
        entity_id -> Nullable<Varchar>,
        actor_user_id -> Nullable<Uuid>,
        #[max_length = 320]
        actor_label -> Nullable<Varchar>,
        #[max_length = 64]
        ip -> Nullable<Varchar>,
        #[max_length = 512]
        user_agent -> Nullable<Varchar>,
        #[max_length = 128]
        request_id -> Nullable<Varchar>,
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

diesel::table! {
    industries (id) {
        id -> Uuid,
        name -> Text,
        code -> Nullable<Text>,
        description -> Nullable<Text>,
        parent_id -> Nullable<Uuid>,
        external_id -> Nullable<Text>,
        level -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    clients (id) {
        id -> Uuid,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        address -> Nullable<Text>,
        billing_address -> Nullable<Text>,
        tax_id -> Nullable<Text>,
        contact_person -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        preferred_contact_method -> Nullable<Text>,
        billing_contact -> Nullable<Text>,
        industry_id -> Nullable<Uuid>,
        parent_client_id -> Nullable<Uuid>,
        account_manager_id -> Nullable<Uuid>,
        status -> Text,
        status_reason -> Nullable<Text>,
        is_verified -> Bool,
        verified_at -> Nullable<Timestamptz>,
        verified_by -> Nullable<Uuid>,
        timezone -> Nullable<Text>,
        notes -> Nullable<Text>,
        metadata -> Jsonb,
        last_contact_date -> Nullable<Date>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    client_subscriptions (client_id, subscription_id) {
        client_id -> Uuid,
        subscription_id -> Uuid,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    tags (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        color -> Text,
        description -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    client_live_counts (status, slot) {
        status -> Text,
        slot -> Int2,
        n -> Int8,
        changes -> Int8,
    }
}

diesel::table! {
    client_tags (client_id, tag_id) {
        client_id -> Uuid,
        tag_id -> Uuid,
    }
}

diesel::table! {
    client_contacts (id) {
        id -> Uuid,
        client_id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        mobile -> Nullable<Text>,
        role -> Text,
        title -> Nullable<Text>,
        department -> Nullable<Text>,
        is_primary -> Bool,
        preferred_contact_method -> Text,
        is_active -> Bool,
        notes -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    client_activities (id) {
        id -> Uuid,
        client_id -> Uuid,
        activity_type -> Text,
        title -> Text,
        body -> Nullable<Text>,
        activity_date -> Timestamptz,
        author_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    client_grants (user_id, client_id) {
        user_id -> Uuid,
        client_id -> Uuid,
        granted_at -> Timestamptz,
        granted_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status_code -> Nullable<Int4>,
        response_body -> Nullable<Bytea>,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    reports (id) {
        id -> Uuid,
        client_id -> Uuid,
        import_id -> Uuid,
        report_type -> Text,
        options -> Jsonb,
        status -> Text,
        html_key -> Nullable<Text>,
        html_size -> Nullable<Int8>,
        #[max_length = 64]
        html_sha256 -> Nullable<Varchar>,
        pdf_key -> Nullable<Text>,
        pdf_size -> Nullable<Int8>,
        #[max_length = 64]
        pdf_sha256 -> Nullable<Varchar>,
        xlsx_key -> Nullable<Text>,
        xlsx_size -> Nullable<Int8>,
        #[max_length = 64]
        xlsx_sha256 -> Nullable<Varchar>,
        #[max_length = 2000]
        error -> Nullable<Varchar>,
        attempts -> Int4,
        import_completed_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        version -> Int4,
        template_id -> Nullable<Uuid>,
        template_revision -> Nullable<Int4>,
    }
}

diesel::table! {
    report_templates (id) {
        id -> Uuid,
        report_type -> Text,
        #[max_length = 255]
        name -> Varchar,
        is_default -> Bool,
        revision -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    report_template_revisions (template_id, revision) {
        template_id -> Uuid,
        revision -> Int4,
        #[max_length = 255]
        firm_name -> Nullable<Varchar>,
        #[max_length = 7]
        accent_colour -> Varchar,
        #[max_length = 7]
        heading_colour -> Varchar,
        html -> Nullable<Text>,
        logo_key -> Nullable<Text>,
        logo_format -> Nullable<Text>,
        logo_size -> Nullable<Int8>,
        #[max_length = 64]
        logo_sha256 -> Nullable<Varchar>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    client_logos (client_id) {
        client_id -> Uuid,
        key -> Text,
        format -> Text,
        size -> Int8,
        #[max_length = 64]
        sha256 -> Varchar,
        uploaded_by -> Nullable<Uuid>,
        uploaded_at -> Timestamptz,
    }
}

diesel::table! {
    report_shares (id) {
        id -> Uuid,
        report_id -> Uuid,
        client_id -> Uuid,
        token_hash -> Bytea,
        permission -> Text,
        #[max_length = 254]
        recipient_email -> Nullable<Varchar>,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        access_count -> Int8,
        last_accessed_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    report_share_accesses (id) {
        id -> Int8,
        share_id -> Uuid,
        at -> Timestamptz,
        #[max_length = 64]
        ip -> Nullable<Varchar>,
        #[max_length = 500]
        user_agent -> Nullable<Varchar>,
        format -> Text,
    }
}

diesel::joinable!(clients -> industries (industry_id));
diesel::joinable!(client_subscriptions -> clients (client_id));
diesel::joinable!(client_tags -> clients (client_id));
diesel::joinable!(client_tags -> tags (tag_id));
diesel::joinable!(client_contacts -> clients (client_id));
diesel::joinable!(client_activities -> clients (client_id));
diesel::joinable!(client_grants -> clients (client_id));

diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(profiles -> users (user_id));
diesel::joinable!(refresh_tokens -> auth_sessions (session_id));

diesel::table! {
    jobs (id) {
        id -> Uuid,
        #[max_length = 100]
        kind -> Varchar,
        args -> Jsonb,
        state -> Text,
        attempt -> Int4,
        max_attempts -> Int4,
        #[max_length = 255]
        unique_key -> Nullable<Varchar>,
        run_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        #[max_length = 100]
        claimed_by -> Nullable<Varchar>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        attempted_at -> Nullable<Timestamptz>,
        progress_done -> Nullable<Int8>,
        progress_total -> Nullable<Int8>,
        #[max_length = 500]
        progress_message -> Nullable<Varchar>,
    }
}

diesel::table! {
    job_schedules (kind) {
        #[max_length = 100]
        kind -> Varchar,
        fired_for -> Timestamptz,
        fired_at -> Timestamptz,
    }
}

diesel::table! {
    contracts (id) {
        id -> Uuid,
        client_id -> Uuid,
        #[max_length = 100]
        number -> Varchar,
        #[max_length = 255]
        title -> Varchar,
        #[max_length = 5000]
        description -> Nullable<Varchar>,
        start_date -> Date,
        end_date -> Date,
        renewal_date -> Nullable<Date>,
        status -> Text,
        billing_amount -> Numeric,
        #[max_length = 3]
        currency -> Varchar,
        billing_frequency -> Text,
        billing_model -> Text,
        covered_headcount -> Nullable<Int4>,
        payment_status -> Text,
        #[max_length = 2000]
        payment_terms -> Nullable<Varchar>,
        last_billing_date -> Nullable<Date>,
        next_billing_date -> Nullable<Date>,
        renewable -> Bool,
        auto_renew -> Bool,
        renewal_notice_days -> Int4,
        #[max_length = 255]
        signed_by -> Nullable<Varchar>,
        signed_at -> Nullable<Timestamptz>,
        #[max_length = 1000]
        termination_reason -> Nullable<Varchar>,
        termination_effective_on -> Nullable<Date>,
        #[max_length = 10000]
        notes -> Nullable<Varchar>,
        notice_sent_for -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        scheduled_status -> Nullable<Text>,
        scheduled_on -> Nullable<Date>,
    }
}

diesel::table! {
    contract_status_changes (id) {
        id -> Int8,
        contract_id -> Uuid,
        status -> Text,
        effective_on -> Date,
        at -> Timestamptz,
        #[max_length = 1000]
        reason -> Nullable<Varchar>,
        applied -> Bool,
    }
}

diesel::table! {
    contract_number_counters (year) {
        year -> Int4,
        last -> Int4,
    }
}

diesel::joinable!(contracts -> clients (client_id));
diesel::joinable!(contract_status_changes -> contracts (contract_id));

diesel::table! {
    member_imports (id) {
        id -> Uuid,
        client_id -> Uuid,
        mode -> Text,
        dry_run -> Bool,
        force -> Bool,
        effective_date -> Date,
        status -> Text,
        refusal -> Nullable<Text>,
        #[max_length = 1000]
        error -> Nullable<Varchar>,
        #[max_length = 255]
        file_name -> Nullable<Varchar>,
        file_columns -> Array<Nullable<Text>>,
        ignored_columns -> Array<Nullable<Text>>,
        rows_total -> Int4,
        created -> Int4,
        updated -> Int4,
        unchanged -> Int4,
        rejected -> Int4,
        deactivated -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        file_headers -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    member_profiles (id) {
        id -> Uuid,
        #[max_length = 255]
        full_name -> Varchar,
        #[max_length = 255]
        preferred_name -> Nullable<Varchar>,
        date_of_birth -> Nullable<Date>,
        gender -> Nullable<Text>,
        #[max_length = 32]
        phone -> Nullable<Varchar>,
        #[max_length = 254]
        email -> Nullable<Varchar>,
        #[max_length = 1000]
        address -> Nullable<Varchar>,
        #[max_length = 3]
        preferred_language -> Nullable<Varchar>,
        preferred_contact_method -> Nullable<Text>,
        #[max_length = 255]
        emergency_contact_name -> Nullable<Varchar>,
        #[max_length = 100]
        emergency_contact_relation -> Nullable<Varchar>,
        #[max_length = 32]
        emergency_contact_phone -> Nullable<Varchar>,
        #[max_length = 254]
        emergency_contact_email -> Nullable<Varchar>,
    }
}

diesel::table! {
    staff (id) {
        id -> Uuid,
        client_id -> Uuid,
        profile_id -> Uuid,
        #[max_length = 100]
        employee_number -> Nullable<Varchar>,
        #[max_length = 255]
        job_title -> Nullable<Varchar>,
        #[max_length = 255]
        department -> Nullable<Varchar>,
        role -> Text,
        employment_start -> Date,
        employment_end -> Nullable<Date>,
        status -> Text,
        #[max_length = 1000]
        leave_type -> Nullable<Varchar>,
        expected_return -> Nullable<Date>,
        #[max_length = 1000]
        status_reason -> Nullable<Varchar>,
        search_text -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        anonymised_at -> Nullable<Timestamptz>,
        contact_search_text -> Text,
        scheduled_status -> Nullable<Text>,
        scheduled_on -> Nullable<Date>,
    }
}

diesel::table! {
    staff_status_changes (id) {
        id -> Int8,
        staff_id -> Uuid,
        status -> Text,
        effective_on -> Date,
        at -> Timestamptz,
        #[max_length = 1000]
        reason -> Nullable<Varchar>,
        applied -> Bool,
    }
}

diesel::table! {
    beneficiaries (id) {
        id -> Uuid,
        staff_id -> Uuid,
        client_id -> Uuid,
        profile_id -> Uuid,
        relation -> Text,
        guardian_kind -> Nullable<Text>,
        #[max_length = 255]
        guardian_name -> Nullable<Varchar>,
        #[max_length = 100]
        guardian_relation -> Nullable<Varchar>,
        #[max_length = 32]
        guardian_phone -> Nullable<Varchar>,
        #[max_length = 254]
        guardian_email -> Nullable<Varchar>,
        status -> Text,
        last_service_date -> Nullable<Date>,
        #[max_length = 10000]
        notes -> Nullable<Varchar>,
        search_text -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        anonymised_at -> Nullable<Timestamptz>,
        contact_search_text -> Text,
        scheduled_status -> Nullable<Text>,
        scheduled_on -> Nullable<Date>,
    }
}

diesel::table! {
    beneficiary_status_changes (id) {
        id -> Int8,
        beneficiary_id -> Uuid,
        status -> Text,
        effective_on -> Date,
        at -> Timestamptz,
        #[max_length = 1000]
        reason -> Nullable<Varchar>,
        applied -> Bool,
    }
}

diesel::table! {
    documents (id) {
        id -> Uuid,
        chain_id -> Uuid,
        version_number -> Int4,
        previous_version_id -> Nullable<Uuid>,
        is_latest -> Bool,
        #[max_length = 255]
        title -> Varchar,
        #[max_length = 2000]
        description -> Nullable<Varchar>,
        doc_type -> Text,
        status -> Text,
        expiry_date -> Nullable<Date>,
        confidential -> Bool,
        tags -> Array<Nullable<Text>>,
        client_id -> Nullable<Uuid>,
        contract_id -> Nullable<Uuid>,
        #[max_length = 200]
        file_key -> Varchar,
        #[max_length = 255]
        file_name -> Varchar,
        file_kind -> Text,
        size -> Int8,
        #[max_length = 64]
        sha256 -> Varchar,
        uploaded_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    kpi_types (id) {
        id -> Uuid,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 1000]
        description -> Nullable<Varchar>,
        weight -> Nullable<Int4>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    kpis (id) {
        id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        #[max_length = 2000]
        description -> Nullable<Varchar>,
        kpi_type_id -> Uuid,
        #[max_length = 50]
        unit -> Varchar,
        unit_type -> Text,
        target -> Nullable<Numeric>,
        direction -> Text,
        #[max_length = 2000]
        calculation_method -> Nullable<Varchar>,
        frequency -> Nullable<Text>,
        public -> Bool,
        client_id -> Nullable<Uuid>,
        contract_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    kpi_assignments (id) {
        id -> Uuid,
        kpi_id -> Uuid,
        contract_id -> Uuid,
        client_id -> Uuid,
        target -> Nullable<Numeric>,
        frequency -> Text,
        status -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        #[max_length = 5000]
        notes -> Nullable<Varchar>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    kpi_measurements (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        period_start -> Date,
        period_end -> Date,
        value -> Numeric,
        #[max_length = 2000]
        note -> Nullable<Varchar>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    advisor_imports (id) {
        id -> Uuid,
        client_id -> Uuid,
        status -> Text,
        format -> Nullable<Text>,
        file_key -> Text,
        #[max_length = 255]
        file_name -> Varchar,
        file_kind -> Text,
        file_size -> Int8,
        #[max_length = 64]
        file_sha256 -> Varchar,
        category -> Nullable<Text>,
        advisor_score -> Nullable<Jsonb>,
        rows_read -> Int4,
        accepted -> Int4,
        duplicates -> Int4,
        rejected -> Int4,
        manual -> Int4,
        progress -> Int2,
        #[max_length = 2000]
        error -> Nullable<Varchar>,
        analysis -> Nullable<Jsonb>,
        attempts -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    advisor_findings (id) {
        id -> Uuid,
        client_id -> Uuid,
        status -> Text,
        owner_id -> Nullable<Uuid>,
        due_date -> Nullable<Date>,
        #[max_length = 5000]
        notes -> Nullable<Varchar>,
        #[max_length = 2000]
        dismissed_reason -> Nullable<Varchar>,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    advisor_recommendations (id) {
        id -> Int8,
        import_id -> Uuid,
        finding_id -> Uuid,
        line -> Nullable<Int4>,
        category -> Text,
        impact -> Text,
        impact_rank -> Int2,
        recommendation -> Text,
        subscription_id -> Nullable<Text>,
        subscription_name -> Nullable<Text>,
        resource_group -> Nullable<Text>,
        resource_name -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        resource_id -> Nullable<Text>,
        updated_at -> Nullable<Timestamptz>,
        potential_benefits -> Nullable<Text>,
        annual_savings -> Nullable<Numeric>,
        #[max_length = 3]
        currency -> Nullable<Varchar>,
        carbon_reduction -> Nullable<Text>,
        billing_increase -> Nullable<Text>,
        billing_known -> Bool,
        change_description -> Nullable<Text>,
        retirement_date -> Nullable<Date>,
        retiring_feature -> Nullable<Text>,
        advisor_score_impact -> Nullable<Numeric>,
        recommendation_type_id -> Nullable<Text>,
        external_id -> Nullable<Text>,
        alternative -> Nullable<Text>,
        term -> Nullable<Text>,
        lookback_days -> Nullable<Text>,
        extra -> Jsonb,
        manual -> Bool,
    }
}

diesel::table! {
    advisor_import_problems (import_id, line, seq) {
        import_id -> Uuid,
        line -> Int4,
        seq -> Int4,
        kind -> Text,
        column_name -> Nullable<Text>,
        message -> Text,
    }
}

diesel::table! {
    advisor_catalogue (id) {
        id -> Uuid,
        #[max_length = 100]
        recommendation_type_id -> Nullable<Varchar>,
        #[max_length = 5000]
        recommendation -> Nullable<Varchar>,
        effort_hours -> Numeric,
        monthly_investment -> Nullable<Numeric>,
        #[max_length = 3]
        currency -> Nullable<Varchar>,
        #[max_length = 255]
        solution -> Nullable<Varchar>,
        risk_probability -> Int2,
        risk_impact -> Int2,
        billing_increase -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(staff -> clients (client_id));
diesel::joinable!(staff -> member_profiles (profile_id));
diesel::joinable!(staff_status_changes -> staff (staff_id));
diesel::joinable!(beneficiaries -> staff (staff_id));
diesel::joinable!(beneficiaries -> member_profiles (profile_id));
diesel::joinable!(beneficiary_status_changes -> beneficiaries (beneficiary_id));
diesel::joinable!(member_imports -> clients (client_id));
diesel::joinable!(kpis -> kpi_types (kpi_type_id));
diesel::joinable!(kpi_assignments -> kpis (kpi_id));
diesel::joinable!(kpi_measurements -> kpi_assignments (assignment_id));
diesel::joinable!(advisor_imports -> clients (client_id));
diesel::joinable!(reports -> advisor_imports (import_id));
diesel::joinable!(report_template_revisions -> report_templates (template_id));
diesel::joinable!(advisor_recommendations -> advisor_findings (finding_id));
diesel::joinable!(advisor_recommendations -> advisor_imports (import_id));

diesel::allow_tables_to_appear_in_same_query!(
    advisor_catalogue,
    advisor_findings,
    advisor_import_problems,
    advisor_imports,
    advisor_recommendations,
    audit_chain,
    audit_logs,
    auth_sessions,
    beneficiaries,
    beneficiary_status_changes,
    client_activities,
    client_contacts,
    client_grants,
    client_live_counts,
    client_subscriptions,
    client_tags,
    clients,
    contract_number_counters,
    contract_status_changes,
    contracts,
    documents,
    idempotency_keys,
    industries,
    jobs,
    job_schedules,
    kpi_assignments,
    reports,
    report_templates,
    report_template_revisions,
    client_logos,
    report_shares,
    report_share_accesses,
    kpi_measurements,
    kpi_types,
    kpis,
    login_throttle,
    member_imports,
    member_profiles,
    profiles,
    refresh_tokens,
    staff,
    staff_status_changes,
    tags,
    users,
);
