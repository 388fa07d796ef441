-- Eligibility-file imports: each upload, and its rows as read (typed, each checked on its own),
-- which the set-based check matches with the client's members and the apply writes from.

CREATE DOMAIN member_import_mode AS text CHECK (VALUE IN ('merge', 'full'));
CREATE DOMAIN member_import_status AS text
    CHECK (VALUE IN ('receiving', 'queued', 'previewed', 'applied', 'refused', 'failed'));
CREATE DOMAIN member_import_outcome AS text
    CHECK (VALUE IN ('created', 'updated', 'unchanged', 'rejected', 'deactivated'));

CREATE TABLE member_imports (
    id               uuid PRIMARY KEY,
    client_id        uuid NOT NULL REFERENCES clients (id),
    mode             member_import_mode NOT NULL,
    dry_run          boolean NOT NULL,
    force            boolean NOT NULL,
    effective_date   date NOT NULL,
    status           member_import_status NOT NULL,
    refusal          text CHECK (refusal IN ('rejected_rows', 'too_many_deactivations')),
    error            varchar(1000),
    file_name        varchar(255),
    -- The documented names of the file's columns, and the header cells axis does not read.
    file_columns     text[] NOT NULL DEFAULT '{}',
    ignored_columns  text[] NOT NULL DEFAULT '{}',
    rows_total       integer NOT NULL DEFAULT 0,
    created          integer NOT NULL DEFAULT 0,
    updated          integer NOT NULL DEFAULT 0,
    unchanged        integer NOT NULL DEFAULT 0,
    rejected         integer NOT NULL DEFAULT 0,
    deactivated      integer NOT NULL DEFAULT 0,
    created_by       uuid,
    created_at       timestamptz NOT NULL,
    finished_at      timestamptz
);
CREATE INDEX member_imports_client ON member_imports (client_id, created_at DESC);

-- One row a line of the file (and, once checked, one a member a full import deactivates, with
-- no line); written and read by SQL only (set-based). Values are NULL when the cell is empty or the file has no such column; `errors` is
-- set when the row failed its own checks or the set-based ones.
CREATE TABLE member_import_rows (
    import_id                   uuid NOT NULL REFERENCES member_imports (id) ON DELETE CASCADE,
    seq                         integer NOT NULL,
    line                        bigint,
    kind                        text NOT NULL CHECK (kind IN ('staff', 'dependent')),
    -- The id the member gets if the row creates one.
    new_id                      uuid NOT NULL,
    employee_number             varchar(100),
    full_name                   varchar(255),
    preferred_name              varchar(255),
    date_of_birth               date,
    gender                      person_gender,
    phone                       varchar(32),
    email                       varchar(254),
    address                     varchar(1000),
    preferred_language          varchar(3),
    preferred_contact_method    contact_method,
    emergency_contact_name      varchar(255),
    emergency_contact_relation  varchar(100),
    emergency_contact_phone     varchar(32),
    emergency_contact_email     varchar(254),
    job_title                   varchar(255),
    department                  varchar(255),
    staff_role                  staff_role,
    employment_start            date,
    relation                    beneficiary_relation,
    guardian_kind               guardian_kind,
    guardian_name               varchar(255),
    guardian_relation           varchar(100),
    guardian_phone              varchar(32),
    guardian_email              varchar(254),
    -- Why the row failed its own checks (by column), or NULL.
    errors                      jsonb,
    -- Set by the check: why the row conflicts with the others or with stored members, the
    -- member the row is (staff or beneficiary), a dependent's staff member, what the row does
    -- and which fields it changes.
    check_errors                jsonb,
    member_id                   uuid,
    staff_id                    uuid,
    outcome                     member_import_outcome,
    changed                     text[] NOT NULL DEFAULT '{}'
);
-- A unique index rather than a primary key: the rows are written and read by SQL only, and a
-- table with a primary key would be declared to diesel (schema.rs), which takes at most 32
-- columns.
CREATE UNIQUE INDEX member_import_rows_seq ON member_import_rows (import_id, seq);

-- What a member list's search matches: name, preferred name, e-mail, phone and the employee
-- number, lower-cased. The one definition: the members' saves and the import both call it.
CREATE FUNCTION member_search_text(full_name text, preferred_name text, email text, phone text,
                                   employee_number text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(concat_ws(' ', full_name, preferred_name, email, phone, employee_number));
