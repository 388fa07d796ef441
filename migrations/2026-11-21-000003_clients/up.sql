-- Clients: industries, client organisations, tags, contacts, activities, Azure subscriptions,
-- client grants (scope), and idempotency keys for create endpoints.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE industries (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    code         text CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,49}$'),
    description  text CHECK (length(description) <= 2000),
    parent_id    uuid REFERENCES industries (id) ON DELETE RESTRICT,
    external_id  text CHECK (length(external_id) BETWEEN 1 AND 100),
    -- 0 for a root; kept equal to the parent's level + 1 by the application.
    level        integer NOT NULL DEFAULT 0 CHECK (level >= 0),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX industries_code_key ON industries (code) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX industries_external_id_key ON industries (external_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX industries_name_key ON industries (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX industries_parent_idx ON industries (parent_id);

CREATE TABLE clients (
    id                        uuid PRIMARY KEY,
    name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    email                     text CHECK (email = lower(email)),
    phone                     text,
    website                   text,
    address                   text,
    billing_address           text,
    tax_id                    text,
    contact_person            text,
    contact_email             text,
    contact_phone             text,
    preferred_contact_method  text CHECK (preferred_contact_method IN ('email', 'phone', 'sms', 'whatsapp', 'other')),
    billing_contact           text,
    industry_id               uuid REFERENCES industries (id) ON DELETE SET NULL,
    parent_client_id          uuid REFERENCES clients (id) ON DELETE RESTRICT,
    account_manager_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    status                    text NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'active', 'inactive', 'suspended', 'archived')),
    status_reason             text,
    is_verified               boolean NOT NULL DEFAULT false,
    verified_at               timestamptz,
    verified_by               uuid,
    timezone                  text,
    notes                     text,
    metadata                  jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_contact_date         date,
    created_by                uuid,
    version                   integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    deleted_at                timestamptz,
    -- What `search` matches: one trigram index instead of five ILIKE scans.
    search_text               text GENERATED ALWAYS AS (
        lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' ||
              coalesce(contact_person, '') || ' ' || coalesce(contact_email, ''))
    ) STORED,
    CHECK (parent_client_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX clients_email_key ON clients (email) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX clients_search_trgm_idx ON clients USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX clients_created_idx ON clients (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX clients_name_idx ON clients (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX clients_status_idx ON clients (status) WHERE deleted_at IS NULL;
CREATE INDEX clients_industry_idx ON clients (industry_id) WHERE deleted_at IS NULL;
CREATE INDEX clients_account_manager_idx ON clients (account_manager_id) WHERE deleted_at IS NULL;
CREATE INDEX clients_parent_idx ON clients (parent_client_id);

CREATE TABLE client_subscriptions (
    client_id        uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    subscription_id  uuid NOT NULL,
    added_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, subscription_id)
);

CREATE TABLE tags (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    slug         text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    color        text NOT NULL DEFAULT '#6B7280' CHECK (color ~ '^#[0-9A-F]{6}$'),
    description  text CHECK (length(description) <= 1000),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tags_name_key ON tags (lower(name));
CREATE UNIQUE INDEX tags_slug_key ON tags (slug);

CREATE TABLE client_tags (
    client_id  uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    tag_id     uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (client_id, tag_id)
);
CREATE INDEX client_tags_tag_idx ON client_tags (tag_id, client_id);

CREATE TABLE client_contacts (
    id                        uuid PRIMARY KEY,
    client_id                 uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    first_name                text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 150),
    last_name                 text NOT NULL DEFAULT '' CHECK (length(last_name) <= 150),
    email                     text NOT NULL CHECK (email = lower(email)),
    phone                     text,
    mobile                    text,
    role                      text NOT NULL DEFAULT 'other'
                              CHECK (role IN ('primary', 'billing', 'technical', 'executive', 'legal', 'other')),
    title                     text,
    department                text,
    is_primary                boolean NOT NULL DEFAULT false,
    preferred_contact_method  text NOT NULL DEFAULT 'email'
                              CHECK (preferred_contact_method IN ('email', 'phone', 'sms', 'whatsapp', 'other')),
    is_active                 boolean NOT NULL DEFAULT true,
    notes                     text,
    version                   integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    deleted_at                timestamptz
);
CREATE UNIQUE INDEX client_contacts_email_key ON client_contacts (client_id, email) WHERE deleted_at IS NULL;
-- At most one primary contact per client.
CREATE UNIQUE INDEX client_contacts_primary_key ON client_contacts (client_id) WHERE is_primary AND deleted_at IS NULL;

CREATE TABLE client_activities (
    id             uuid PRIMARY KEY,
    client_id      uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    activity_type  text NOT NULL CHECK (activity_type IN ('note', 'call', 'email', 'meeting', 'status_change',
                   'contract_signed', 'payment_received', 'document_uploaded', 'verification', 'issue',
                   'opportunity', 'other')),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    body           text CHECK (length(body) <= 20000),
    activity_date  timestamptz NOT NULL,
    author_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    contact_id     uuid REFERENCES client_contacts (id) ON DELETE SET NULL,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);
CREATE INDEX client_activities_client_idx ON client_activities (client_id, activity_date DESC) WHERE deleted_at IS NULL;

-- Who (analyst or viewer) may see which client.
CREATE TABLE client_grants (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id   uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    granted_by  uuid,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX client_grants_client_idx ON client_grants (client_id);

-- Replays of create requests (Idempotency-Key), per user.
CREATE TABLE idempotency_keys (
    user_id        uuid NOT NULL,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash   bytea NOT NULL,
    status_code    integer,
    response_body  bytea,
    location       text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- A sensible two-level industry list (codes follow the original seed's style).
INSERT INTO industries (id, name, code, parent_id, level) VALUES
    ('01900000-0000-7000-8000-000000000001', 'Agriculture', 'AGR', NULL, 0),
    ('01900000-0000-7000-8000-000000000002', 'Construction', 'CON', NULL, 0),
    ('01900000-0000-7000-8000-000000000003', 'Education', 'EDU', NULL, 0),
    ('01900000-0000-7000-8000-000000000004', 'Energy and Utilities', 'ENE', NULL, 0),
    ('01900000-0000-7000-8000-000000000005', 'Financial Services', 'FIN', NULL, 0),
    ('01900000-0000-7000-8000-000000000006', 'Government and Public Sector', 'GOV', NULL, 0),
    ('01900000-0000-7000-8000-000000000007', 'Healthcare', 'HEA', NULL, 0),
    ('01900000-0000-7000-8000-000000000008', 'Hospitality and Tourism', 'HOS', NULL, 0),
    ('01900000-0000-7000-8000-000000000009', 'Information Technology', 'ICT', NULL, 0),
    ('01900000-0000-7000-8000-00000000000a', 'Manufacturing', 'MAN', NULL, 0),
    ('01900000-0000-7000-8000-00000000000b', 'Non-Profit', 'NGO', NULL, 0),
    ('01900000-0000-7000-8000-00000000000c', 'Retail and Wholesale', 'RET', NULL, 0),
    ('01900000-0000-7000-8000-00000000000d', 'Transport and Logistics', 'TRA', NULL, 0),
    ('01900000-0000-7000-8000-00000000000e', 'Telecommunications', 'TEL', NULL, 0);
INSERT INTO industries (id, name, code, parent_id, level) VALUES
    ('01900000-0000-7000-8001-000000000001', 'Crop Production', 'AGR-CRP', '01900000-0000-7000-8000-000000000001', 1),
    ('01900000-0000-7000-8001-000000000002', 'Livestock', 'AGR-LIV', '01900000-0000-7000-8000-000000000001', 1),
    ('01900000-0000-7000-8001-000000000003', 'Agro-processing', 'AGR-PRO', '01900000-0000-7000-8000-000000000001', 1),
    ('01900000-0000-7000-8001-000000000004', 'Building Construction', 'CON-BLD', '01900000-0000-7000-8000-000000000002', 1),
    ('01900000-0000-7000-8001-000000000005', 'Civil Engineering', 'CON-CIV', '01900000-0000-7000-8000-000000000002', 1),
    ('01900000-0000-7000-8001-000000000006', 'Primary and Secondary Schools', 'EDU-SCH', '01900000-0000-7000-8000-000000000003', 1),
    ('01900000-0000-7000-8001-000000000007', 'Higher Education', 'EDU-HIG', '01900000-0000-7000-8000-000000000003', 1),
    ('01900000-0000-7000-8001-000000000008', 'Electricity', 'ENE-ELE', '01900000-0000-7000-8000-000000000004', 1),
    ('01900000-0000-7000-8001-000000000009', 'Oil and Gas', 'ENE-OIL', '01900000-0000-7000-8000-000000000004', 1),
    ('01900000-0000-7000-8001-00000000000a', 'Water and Sanitation', 'ENE-WAT', '01900000-0000-7000-8000-000000000004', 1),
    ('01900000-0000-7000-8001-00000000000b', 'Banking', 'FIN-BNK', '01900000-0000-7000-8000-000000000005', 1),
    ('01900000-0000-7000-8001-00000000000c', 'Insurance', 'FIN-INS', '01900000-0000-7000-8000-000000000005', 1),
    ('01900000-0000-7000-8001-00000000000d', 'Microfinance and SACCOs', 'FIN-MIC', '01900000-0000-7000-8000-000000000005', 1),
    ('01900000-0000-7000-8001-00000000000e', 'Central Government', 'GOV-CEN', '01900000-0000-7000-8000-000000000006', 1),
    ('01900000-0000-7000-8001-00000000000f', 'Local Government', 'GOV-LOC', '01900000-0000-7000-8000-000000000006', 1),
    ('01900000-0000-7000-8001-000000000010', 'Hospitals and Clinics', 'HEA-HOS', '01900000-0000-7000-8000-000000000007', 1),
    ('01900000-0000-7000-8001-000000000011', 'Pharmaceuticals', 'HEA-PHA', '01900000-0000-7000-8000-000000000007', 1),
    ('01900000-0000-7000-8001-000000000012', 'Hotels and Lodging', 'HOS-HOT', '01900000-0000-7000-8000-000000000008', 1),
    ('01900000-0000-7000-8001-000000000013', 'Travel and Tours', 'HOS-TRV', '01900000-0000-7000-8000-000000000008', 1),
    ('01900000-0000-7000-8001-000000000014', 'Software and Services', 'ICT-SOF', '01900000-0000-7000-8000-000000000009', 1),
    ('01900000-0000-7000-8001-000000000015', 'IT Infrastructure and Cloud', 'ICT-CLD', '01900000-0000-7000-8000-000000000009', 1),
    ('01900000-0000-7000-8001-000000000016', 'Food and Beverages', 'MAN-FOO', '01900000-0000-7000-8000-00000000000a', 1),
    ('01900000-0000-7000-8001-000000000017', 'Textiles and Apparel', 'MAN-TEX', '01900000-0000-7000-8000-00000000000a', 1),
    ('01900000-0000-7000-8001-000000000018', 'Chemicals and Plastics', 'MAN-CHE', '01900000-0000-7000-8000-00000000000a', 1),
    ('01900000-0000-7000-8001-000000000019', 'Humanitarian Organisations', 'NGO-HUM', '01900000-0000-7000-8000-00000000000b', 1),
    ('01900000-0000-7000-8001-00000000001a', 'Faith-based Organisations', 'NGO-FAI', '01900000-0000-7000-8000-00000000000b', 1),
    ('01900000-0000-7000-8001-00000000001b', 'Supermarkets', 'RET-SUP', '01900000-0000-7000-8000-00000000000c', 1),
    ('01900000-0000-7000-8001-00000000001c', 'Wholesale Trade', 'RET-WHO', '01900000-0000-7000-8000-00000000000c', 1),
    ('01900000-0000-7000-8001-00000000001d', 'Road Transport', 'TRA-ROA', '01900000-0000-7000-8000-00000000000d', 1),
    ('01900000-0000-7000-8001-00000000001e', 'Aviation', 'TRA-AVI', '01900000-0000-7000-8000-00000000000d', 1),
    ('01900000-0000-7000-8001-00000000001f', 'Mobile Networks', 'TEL-MOB', '01900000-0000-7000-8000-00000000000e', 1),
    ('01900000-0000-7000-8001-000000000020', 'Internet Service Providers', 'TEL-ISP', '01900000-0000-7000-8000-00000000000e', 1);
