-- KPIs: types with weights, KPI definitions (global, a client's, or a contract's), their
-- assignment to contracts, and measurements as rows, one per period, never overlapping.

CREATE DOMAIN kpi_unit_type AS text CHECK (VALUE IN ('percentage', 'count', 'score', 'time'));
CREATE DOMAIN kpi_direction AS text CHECK (VALUE IN ('higher_is_better', 'lower_is_better'));
CREATE DOMAIN kpi_frequency AS text CHECK (VALUE IN ('once', 'weekly', 'monthly', 'quarterly', 'annually'));
CREATE DOMAIN kpi_assignment_status AS text CHECK (VALUE IN ('pending', 'ongoing', 'completed', 'cancelled'));

CREATE TABLE kpi_types (
    id           uuid PRIMARY KEY,
    name         varchar(100) NOT NULL,
    description  varchar(1000),
    weight       integer CHECK (weight BETWEEN 1 AND 100),
    version      integer NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX kpi_types_name_key ON kpi_types (lower(name));

CREATE TABLE kpis (
    id                  uuid PRIMARY KEY,
    name                varchar(255) NOT NULL,
    description         varchar(2000),
    kpi_type_id         uuid NOT NULL REFERENCES kpi_types (id),
    unit                varchar(50) NOT NULL,
    unit_type           kpi_unit_type NOT NULL,
    target              numeric(18, 4),
    direction           kpi_direction NOT NULL,
    calculation_method  varchar(2000),
    frequency           kpi_frequency,
    public              boolean NOT NULL,
    client_id           uuid REFERENCES clients (id),
    contract_id         uuid,
    version             integer NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    -- A contract's KPI names its client, and the contract is that client's.
    CONSTRAINT kpis_contract_of_client FOREIGN KEY (contract_id, client_id) REFERENCES contracts (id, client_id),
    CHECK (contract_id IS NULL OR client_id IS NOT NULL)
);
CREATE INDEX kpis_client ON kpis (client_id, name);
CREATE INDEX kpis_type ON kpis (kpi_type_id);

CREATE TABLE kpi_assignments (
    id           uuid PRIMARY KEY,
    kpi_id       uuid NOT NULL REFERENCES kpis (id),
    contract_id  uuid NOT NULL,
    client_id    uuid NOT NULL,
    target       numeric(18, 4),
    frequency    kpi_frequency NOT NULL,
    status       kpi_assignment_status NOT NULL,
    start_date   date NOT NULL,
    end_date     date,
    notes        varchar(5000),
    version      integer NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- The client is the contract's: one foreign key holds both.
    CONSTRAINT kpi_assignments_contract_of_client FOREIGN KEY (contract_id, client_id)
        REFERENCES contracts (id, client_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX kpi_assignments_client ON kpi_assignments (client_id, created_at DESC);
CREATE INDEX kpi_assignments_contract ON kpi_assignments (contract_id);
CREATE INDEX kpi_assignments_kpi ON kpi_assignments (kpi_id);

CREATE TABLE kpi_measurements (
    id             uuid PRIMARY KEY,
    assignment_id  uuid NOT NULL REFERENCES kpi_assignments (id),
    period_start   date NOT NULL,
    period_end     date NOT NULL,
    value          numeric(18, 4) NOT NULL,
    note           varchar(2000),
    recorded_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at    timestamptz NOT NULL,
    version        integer NOT NULL,
    CHECK (period_end >= period_start),
    -- Two periods of one assignment never overlap, whoever records them at once.
    CONSTRAINT kpi_measurements_no_overlap EXCLUDE USING gist (
        assignment_id WITH =,
        daterange(period_start, period_end, '[]') WITH &&
    )
);
CREATE INDEX kpi_measurements_assignment ON kpi_measurements (assignment_id, period_start);

-- The KPI lists remember their totals like the other lists.
CREATE TRIGGER kpi_types_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kpi_types
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER kpis_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kpis
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER kpi_assignments_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kpi_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
