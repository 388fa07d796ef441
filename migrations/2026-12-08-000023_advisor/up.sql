-- Azure Advisor imports: one upload is one snapshot of one client; its recommendations, the
-- rows it did not take, its analysis; findings that live across a client's snapshots; and the
-- effort and investment catalogue consultants price findings with.

CREATE DOMAIN advisor_category AS text
    CHECK (VALUE IN ('cost', 'security', 'reliability', 'operational_excellence', 'performance'));
CREATE DOMAIN advisor_impact AS text CHECK (VALUE IN ('high', 'medium', 'low'));
CREATE DOMAIN advisor_import_status AS text
    CHECK (VALUE IN ('uploaded', 'processing', 'completed', 'failed', 'cancelled'));
CREATE DOMAIN advisor_finding_status AS text
    CHECK (VALUE IN ('open', 'in_progress', 'done', 'dismissed', 'resolved'));

CREATE TABLE advisor_imports (
    id             uuid PRIMARY KEY,
    client_id      uuid NOT NULL REFERENCES clients (id),
    status         advisor_import_status NOT NULL,
    format         text CHECK (format IN ('portal_17', 'portal_14', 'category_view', 'seed', 'other', 'api_json')),
    file_key       text NOT NULL,
    file_name      varchar(255) NOT NULL,
    file_kind      text NOT NULL CHECK (file_kind IN ('csv', 'json')),
    file_size      bigint NOT NULL CHECK (file_size > 0),
    file_sha256    varchar(64) NOT NULL,
    category       advisor_category,
    advisor_score  jsonb,
    rows_read      integer NOT NULL DEFAULT 0,
    accepted       integer NOT NULL DEFAULT 0,
    duplicates     integer NOT NULL DEFAULT 0,
    rejected       integer NOT NULL DEFAULT 0,
    manual         integer NOT NULL DEFAULT 0,
    progress       smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error          varchar(2000),
    analysis       jsonb,
    attempts       integer NOT NULL DEFAULT 0,
    created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL,
    started_at     timestamptz,
    finished_at    timestamptz,
    version        integer NOT NULL,
    CHECK ((status = 'completed') = (analysis IS NOT NULL))
);
CREATE INDEX advisor_imports_client ON advisor_imports (client_id, created_at DESC, id DESC);
CREATE INDEX advisor_imports_file ON advisor_imports (file_key);

-- A finding is one natural key (recommendation type or category and text, with the resource)
-- of one client, seen in any number of its snapshots. Its id is derived from the client and
-- the key (SHA-256's first 16 bytes, computed by the adapter), so every snapshot's row names it
-- without a lookup. What a snapshot says of it (its figures, whether the newest snapshot has
-- it: open, or resolved) is read from the snapshots' rows; this table keeps only what people
-- give it, from the first change on: a snapshot writes its own rows and nothing else.
CREATE TABLE advisor_findings (
    id                uuid PRIMARY KEY,
    client_id         uuid NOT NULL REFERENCES clients (id),
    -- `resolved` here is bookkeeping for a finding whose state was set and which the newest
    -- snapshot lacks: when an export has it again, it is open again (read as open).
    status            advisor_finding_status NOT NULL,
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    due_date          date,
    notes             varchar(5000),
    dismissed_reason  varchar(2000),
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL,
    CHECK (status <> 'dismissed' OR dismissed_reason IS NOT NULL)
);
CREATE INDEX advisor_findings_client ON advisor_findings (client_id, status);
CREATE INDEX advisor_findings_owner ON advisor_findings (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE advisor_recommendations (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id               uuid NOT NULL REFERENCES advisor_imports (id) ON DELETE CASCADE,
    -- The finding this row is (see advisor_findings): the same in every snapshot of the client.
    finding_id              uuid NOT NULL,
    line                    integer,
    category                advisor_category NOT NULL,
    impact                  advisor_impact NOT NULL,
    -- High first when ordered descending (never the names' alphabetical order).
    impact_rank             smallint NOT NULL CHECK (impact_rank BETWEEN 1 AND 3),
    recommendation          text NOT NULL,
    subscription_id         text,
    subscription_name       text,
    resource_group          text,
    resource_name           text,
    resource_type           text,
    resource_id             text,
    updated_at              timestamptz,
    potential_benefits      text,
    annual_savings          numeric(24, 6) CHECK (annual_savings >= 0),
    currency                varchar(3),
    carbon_reduction        text,
    billing_increase        advisor_impact,
    billing_known           boolean NOT NULL,
    change_description      text,
    retirement_date         date,
    retiring_feature        text,
    advisor_score_impact    numeric(24, 6),
    recommendation_type_id  text,
    external_id             text,
    alternative             text CHECK (alternative IN ('reserved_instance', 'savings_plan')),
    term                    text,
    lookback_days           text,
    extra                   jsonb NOT NULL DEFAULT '{}',
    manual                  boolean NOT NULL DEFAULT false,
    CHECK ((annual_savings IS NULL) = (currency IS NULL)),
    -- One row per finding in a snapshot; also how a finding's rows are found.
    CONSTRAINT advisor_recommendations_once UNIQUE (finding_id, import_id)
);
CREATE INDEX advisor_recommendations_order
    ON advisor_recommendations (import_id, impact_rank DESC, annual_savings DESC NULLS LAST, id);

CREATE TABLE advisor_import_problems (
    import_id    uuid NOT NULL REFERENCES advisor_imports (id) ON DELETE CASCADE,
    line         integer NOT NULL,
    seq          integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('rejected', 'duplicate')),
    column_name  text,
    message      text NOT NULL,
    PRIMARY KEY (import_id, line, seq)
);

CREATE TABLE advisor_catalogue (
    id                      uuid PRIMARY KEY,
    recommendation_type_id  varchar(100),
    recommendation          varchar(5000),
    effort_hours            numeric(10, 2) NOT NULL CHECK (effort_hours >= 0),
    monthly_investment      numeric(18, 2) CHECK (monthly_investment >= 0),
    currency                varchar(3),
    solution                varchar(255),
    risk_probability        smallint NOT NULL CHECK (risk_probability BETWEEN 1 AND 5),
    risk_impact             smallint NOT NULL CHECK (risk_impact BETWEEN 1 AND 5),
    billing_increase        boolean NOT NULL,
    version                 integer NOT NULL,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    CHECK (recommendation_type_id IS NOT NULL OR recommendation IS NOT NULL),
    CHECK ((monthly_investment IS NULL) = (currency IS NULL))
);
CREATE UNIQUE INDEX advisor_catalogue_type_key ON advisor_catalogue (lower(recommendation_type_id));
CREATE UNIQUE INDEX advisor_catalogue_text_key ON advisor_catalogue (lower(recommendation))
    WHERE recommendation_type_id IS NULL;

-- Defaults a consultancy starts from (hours and monthly cost of the fix, the service that does
-- it, probability × impact on a 1–5 scale); managers edit them.
INSERT INTO advisor_catalogue (id, recommendation, effort_hours, monthly_investment, currency, solution,
        risk_probability, risk_impact, billing_increase, version, created_at, updated_at)
SELECT gen_random_uuid(), recommendation, hours, investment, CASE WHEN investment IS NULL THEN NULL ELSE 'USD' END,
       solution, probability, impact, raises, 1, now(), now()
FROM (VALUES
    ('Consider virtual machine reserved instance to save over the on-demand costs', 4, NULL, 'Azure Reservations', 2, 5, false),
    ('Consider purchasing a savings plan for compute to unlock lower prices', 4, NULL, 'Azure savings plan for compute', 2, 5, false),
    ('Right-size or shutdown underutilized virtual machines', 2, NULL, 'Azure Virtual Machines', 2, 3, false),
    ('Review disks that are not attached to a VM and evaluate if you still need the disks', 1, NULL, 'Azure Managed Disks', 1, 2, false),
    ('Microsoft Defender for servers should be enabled', 2, 15, 'Microsoft Defender for Cloud', 3, 4, true),
    ('Secure transfer to storage accounts should be enabled', 0.5, NULL, 'Azure Storage', 2, 4, false),
    ('Machines should have a vulnerability assessment solution', 2, 10, 'Microsoft Defender Vulnerability Management', 3, 4, true),
    ('Enable Azure backup for SQL on your virtual machines', 3, 25, 'Azure Backup', 2, 5, true),
    ('Use Availability zones for better resiliency and availability', 8, 50, 'Availability zones', 2, 4, true),
    ('Upgrade Basic SKU public IP addresses to Standard SKU', 2, 4, 'Standard SKU public IP', 4, 4, true),
    ('Enable Trusted Launch foundational excellence, and modern security for Existing Generation 2 VM(s)', 1, NULL, 'Trusted Launch', 2, 3, false),
    ('Subscription with more than 10 VNets should be managed using AVNM', 6, 10, 'Azure Virtual Network Manager', 1, 2, true),
    ('Install SQL best practices assessment on your SQL VM', 1, NULL, 'SQL best practices assessment', 1, 2, false),
    ('Consider increasing the size of your VNet Gateway SKU to address consistently high CPU use', 3, 150, 'VPN Gateway', 2, 3, true)
) AS defaults (recommendation, hours, investment, solution, probability, impact, raises);
