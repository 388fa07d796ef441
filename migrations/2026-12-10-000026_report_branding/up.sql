-- Report templates (a consultancy's look per report type, one default per type, every
-- revision of the branding kept so a report renders the revision it was asked with) and
-- clients' logos (files in the blob store).

CREATE TABLE report_templates (
    id           uuid PRIMARY KEY,
    report_type  report_type NOT NULL,
    name         varchar(255) NOT NULL,
    is_default   boolean NOT NULL DEFAULT false,
    -- The current revision of its branding (report_template_revisions).
    revision     integer NOT NULL CHECK (revision >= 1),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      integer NOT NULL
);
CREATE UNIQUE INDEX report_templates_name_key ON report_templates (report_type, lower(name));
CREATE UNIQUE INDEX report_templates_one_default ON report_templates (report_type) WHERE is_default;

CREATE TABLE report_template_revisions (
    template_id     uuid NOT NULL REFERENCES report_templates (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    firm_name       varchar(255),
    accent_colour   varchar(7) NOT NULL CHECK (accent_colour ~ '^#[0-9a-f]{6}$'),
    heading_colour  varchar(7) NOT NULL CHECK (heading_colour ~ '^#[0-9a-f]{6}$'),
    -- A custom HTML template; none: the default.
    html            text CHECK (octet_length(html) <= 262144),
    logo_key        text,
    logo_format     text CHECK (logo_format IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    logo_size       bigint,
    logo_sha256     varchar(64),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (template_id, revision),
    CHECK ((logo_key IS NULL) = (logo_format IS NULL))
);
CREATE INDEX report_template_revisions_logo ON report_template_revisions (logo_key) WHERE logo_key IS NOT NULL;

ALTER TABLE reports
    ADD COLUMN template_id uuid,
    ADD COLUMN template_revision integer,
    ADD CONSTRAINT reports_template_fkey FOREIGN KEY (template_id, template_revision)
        REFERENCES report_template_revisions (template_id, revision),
    ADD CHECK ((template_id IS NULL) = (template_revision IS NULL));

CREATE TABLE client_logos (
    client_id    uuid PRIMARY KEY REFERENCES clients (id),
    key          text NOT NULL,
    format       text NOT NULL CHECK (format IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    size         bigint NOT NULL,
    sha256       varchar(64) NOT NULL,
    uploaded_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at  timestamptz NOT NULL
);
CREATE INDEX client_logos_key ON client_logos (key);
