-- Contracts between the organisation and its clients, with the history of every status change
-- (coverage on a date is read from it) and a per-year counter for generated numbers.

-- btree_gist lets one exclusion constraint compare the client with = and the period with &&.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE DOMAIN contract_status AS text
    CHECK (VALUE IN ('draft', 'pending', 'active', 'suspended', 'renewed', 'expired', 'terminated'));
CREATE DOMAIN contract_payment_status AS text
    CHECK (VALUE IN ('pending', 'paid', 'overdue', 'cancelled', 'refunded'));
CREATE DOMAIN billing_frequency AS text
    CHECK (VALUE IN ('monthly', 'quarterly', 'semi_annual', 'annual'));
CREATE DOMAIN billing_model AS text
    CHECK (VALUE IN ('fixed', 'per_employee_per_month', 'per_session'));

CREATE TABLE contracts (
    id                        uuid PRIMARY KEY,
    client_id                 uuid NOT NULL REFERENCES clients (id),
    number                    varchar(100) NOT NULL,
    title                     varchar(255) NOT NULL,
    description               varchar(5000),
    start_date                date NOT NULL,
    end_date                  date NOT NULL,
    renewal_date              date,
    status                    contract_status NOT NULL,
    billing_amount            numeric(18, 4) NOT NULL,
    currency                  varchar(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    billing_frequency         billing_frequency NOT NULL,
    billing_model             billing_model NOT NULL,
    covered_headcount         integer,
    payment_status            contract_payment_status NOT NULL,
    payment_terms             varchar(2000),
    last_billing_date         date,
    next_billing_date         date,
    renewable                 boolean NOT NULL,
    auto_renew                boolean NOT NULL,
    renewal_notice_days       integer NOT NULL,
    signed_by                 varchar(255),
    signed_at                 timestamptz,
    termination_reason        varchar(1000),
    termination_effective_on  date,
    notes                     varchar(10000),
    notice_sent_for           date,
    version                   integer NOT NULL,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    deleted_at                timestamptz,
    CHECK (end_date >= start_date),
    CHECK (renewal_date IS NULL OR renewal_date BETWEEN start_date AND end_date),
    CHECK (billing_amount >= 0),
    CHECK (covered_headcount IS NULL OR covered_headcount >= 0),
    CHECK (renewal_notice_days BETWEEN 0 AND 365),
    CHECK (status <> 'terminated' OR termination_reason IS NOT NULL),
    -- Two contracts of one client that hold their period (in force, or suspended and expected
    -- back) never overlap: enforced here, so two racing requests cannot both pass.
    CONSTRAINT contracts_no_overlap EXCLUDE USING gist (
        client_id WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (status IN ('active', 'renewed', 'suspended') AND deleted_at IS NULL)
);

CREATE UNIQUE INDEX contracts_number_key ON contracts (number);
-- A client's contracts, and the default list order.
CREATE INDEX contracts_client_start ON contracts (client_id, start_date DESC);
CREATE INDEX contracts_start ON contracts (start_date DESC, id DESC);
-- The sweep and "expiring within": in-force contracts by their last day.
CREATE INDEX contracts_in_force_end ON contracts (end_date) WHERE status IN ('active', 'renewed') AND deleted_at IS NULL;
CREATE INDEX contracts_next_billing ON contracts (next_billing_date) WHERE deleted_at IS NULL;
CREATE INDEX contracts_search ON contracts USING gin ((number || ' ' || title) gin_trgm_ops);

CREATE TABLE contract_status_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id   uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    status        contract_status NOT NULL,
    effective_on  date NOT NULL,
    at            timestamptz NOT NULL,
    reason        varchar(1000)
);
CREATE INDEX contract_status_changes_contract ON contract_status_changes (contract_id, effective_on, at);

-- Generated numbers: C-YYYY-NNNNN, counted per year.
CREATE TABLE contract_number_counters (
    year  integer PRIMARY KEY,
    last  integer NOT NULL
);
