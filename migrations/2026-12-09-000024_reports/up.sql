-- Advisor reports: one rendering of one import, of one of five types, in HTML, PDF and XLSX
-- (files in the blob store).

CREATE DOMAIN report_type AS text
    CHECK (VALUE IN ('detailed', 'executive', 'cost', 'security', 'operations'));
CREATE DOMAIN report_status AS text CHECK (VALUE IN ('queued', 'rendering', 'ready', 'failed'));

CREATE TABLE reports (
    id                   uuid PRIMARY KEY,
    client_id            uuid NOT NULL REFERENCES clients (id),
    import_id            uuid NOT NULL REFERENCES advisor_imports (id) ON DELETE CASCADE,
    report_type          report_type NOT NULL,
    -- Subscriptions and resource groups in scope, the currency shown.
    options              jsonb NOT NULL DEFAULT '{}',
    status               report_status NOT NULL,
    html_key             text,
    html_size            bigint,
    html_sha256          varchar(64),
    pdf_key              text,
    pdf_size             bigint,
    pdf_sha256           varchar(64),
    xlsx_key             text,
    xlsx_size            bigint,
    xlsx_sha256          varchar(64),
    error                varchar(2000),
    attempts             integer NOT NULL DEFAULT 0,
    -- The import's completion the files were rendered from: a later one makes them stale.
    import_completed_at  timestamptz,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    version              integer NOT NULL,
    CHECK ((status = 'ready') = (html_key IS NOT NULL AND pdf_key IS NOT NULL AND xlsx_key IS NOT NULL))
);
CREATE INDEX reports_client ON reports (client_id, created_at DESC, id DESC);
CREATE INDEX reports_import ON reports (import_id);
