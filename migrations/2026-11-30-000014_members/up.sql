-- Members: the people an EAP serves. One member_profiles table holds the person data of staff
-- (a client's employees) and beneficiaries (their dependents) — `profiles` is the users' own
-- (identity); each keeps the history of its
-- status changes, and the eligibility chain is written here once more, for the lists'
-- `eligible_on` filter (the Rust rule and these functions run one case table in the tests).

CREATE DOMAIN person_gender AS text CHECK (VALUE IN ('female', 'male', 'other', 'undisclosed'));
CREATE DOMAIN staff_status AS text
    CHECK (VALUE IN ('active', 'on_leave', 'inactive', 'suspended', 'terminated', 'resigned'));
CREATE DOMAIN staff_role AS text CHECK (VALUE IN ('admin', 'manager', 'staff', 'volunteer'));
CREATE DOMAIN beneficiary_status AS text CHECK (VALUE IN ('active', 'inactive'));
CREATE DOMAIN beneficiary_relation AS text
    CHECK (VALUE IN ('child', 'spouse', 'parent', 'sibling', 'grandparent', 'guardian', 'other'));
CREATE DOMAIN guardian_kind AS text CHECK (VALUE IN ('staff_member', 'named'));

CREATE TABLE member_profiles (
    id                          uuid PRIMARY KEY,
    full_name                   varchar(255) NOT NULL,
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
    emergency_contact_email     varchar(254)
);
-- Lists are ordered by name.
CREATE INDEX member_profiles_name ON member_profiles (lower(full_name), id);

CREATE TABLE staff (
    id                uuid PRIMARY KEY,
    client_id         uuid NOT NULL REFERENCES clients (id),
    profile_id        uuid NOT NULL UNIQUE REFERENCES member_profiles (id),
    employee_number   varchar(100),
    job_title         varchar(255),
    department        varchar(255),
    role              staff_role NOT NULL,
    employment_start  date NOT NULL,
    employment_end    date,
    status            staff_status NOT NULL,
    leave_type        varchar(1000),
    expected_return   date,
    status_reason     varchar(1000),
    -- Lower-cased name, preferred name, e-mail, phone and employee number, written by the
    -- adapter with every save: what the list's search matches.
    search_text       text NOT NULL,
    version           integer NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    deleted_at        timestamptz,
    anonymised_at     timestamptz,
    CHECK (employment_end IS NULL OR employment_end >= employment_start),
    CHECK (status NOT IN ('terminated', 'resigned') OR employment_end IS NOT NULL),
    -- The target of beneficiaries' (staff, client) reference: a beneficiary's client is
    -- always their staff member's.
    UNIQUE (id, client_id)
);
-- Employee numbers are unique within a client (among live members).
CREATE UNIQUE INDEX staff_employee_number_key ON staff (client_id, employee_number)
    WHERE employee_number IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX staff_client ON staff (client_id);
CREATE INDEX staff_search ON staff USING gin (search_text gin_trgm_ops);

CREATE TABLE staff_status_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id      uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    status        staff_status NOT NULL,
    effective_on  date NOT NULL,
    at            timestamptz NOT NULL,
    reason        varchar(1000)
);
CREATE INDEX staff_status_changes_staff ON staff_status_changes (staff_id, effective_on, at);

CREATE TABLE beneficiaries (
    id                 uuid PRIMARY KEY,
    staff_id           uuid NOT NULL,
    client_id          uuid NOT NULL REFERENCES clients (id),
    profile_id         uuid NOT NULL UNIQUE REFERENCES member_profiles (id),
    relation           beneficiary_relation NOT NULL,
    guardian_kind      guardian_kind,
    guardian_name      varchar(255),
    guardian_relation  varchar(100),
    guardian_phone     varchar(32),
    guardian_email     varchar(254),
    status             beneficiary_status NOT NULL,
    last_service_date  date,
    notes              varchar(10000),
    search_text        text NOT NULL,
    version            integer NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    deleted_at         timestamptz,
    anonymised_at      timestamptz,
    -- A beneficiary moves only between staff members of the same client.
    FOREIGN KEY (staff_id, client_id) REFERENCES staff (id, client_id),
    CHECK ((guardian_kind = 'named') = (guardian_name IS NOT NULL)),
    CHECK (guardian_kind = 'named' OR (guardian_relation IS NULL AND guardian_phone IS NULL AND guardian_email IS NULL))
);
CREATE INDEX beneficiaries_staff ON beneficiaries (staff_id);
CREATE INDEX beneficiaries_client ON beneficiaries (client_id);
CREATE INDEX beneficiaries_search ON beneficiaries USING gin (search_text gin_trgm_ops);

CREATE TABLE beneficiary_status_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    beneficiary_id  uuid NOT NULL REFERENCES beneficiaries (id) ON DELETE CASCADE,
    status          beneficiary_status NOT NULL,
    effective_on    date NOT NULL,
    at              timestamptz NOT NULL,
    reason          varchar(1000)
);
CREATE INDEX beneficiary_status_changes_beneficiary ON beneficiary_status_changes (beneficiary_id, effective_on, at);

-- Remembered list totals are counted again after any write to the members' tables.
CREATE TRIGGER staff_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER beneficiaries_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON beneficiaries
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER staff_status_changes_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff_status_changes
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER beneficiary_status_changes_list_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON beneficiary_status_changes
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
CREATE TRIGGER contract_status_changes_list_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_status_changes
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();

-- The staff chain over its facts, first failing link first (axis_staff::staff_eligibility):
-- NULL when eligible, else the reason code.
CREATE FUNCTION staff_chain(status text, employment_start date, employment_end date,
                            client_active boolean, covered boolean, d date)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF status NOT IN ('active', 'on_leave') THEN RETURN 'person_inactive'; END IF;
    IF d < employment_start THEN RETURN 'employment_not_started'; END IF;
    IF employment_end IS NOT NULL AND d > employment_end THEN RETURN 'employment_ended'; END IF;
    IF NOT client_active THEN RETURN 'client_inactive'; END IF;
    IF NOT covered THEN RETURN 'no_contract_coverage'; END IF;
    RETURN NULL;
END;
$$;

-- The beneficiary chain (axis_staff::beneficiary_eligibility): their own status, then their
-- staff member's answer.
CREATE FUNCTION beneficiary_chain(active boolean, staff_reason text)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF NOT active THEN RETURN 'beneficiary_inactive'; END IF;
    IF staff_reason IS NOT NULL THEN RETURN 'staff_ineligible'; END IF;
    RETURN NULL;
END;
$$;

-- Does an in-force contract of the client cover day d? Read from the contracts' histories as
-- axis_contracts::covers does: inside the period, and in force by the last change effective
-- on or before d.
CREATE FUNCTION contract_covers(p_client uuid, d date)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM contracts c
        WHERE c.client_id = p_client AND c.deleted_at IS NULL AND d BETWEEN c.start_date AND c.end_date
          AND (SELECT h.status FROM contract_status_changes h
               WHERE h.contract_id = c.id AND h.effective_on <= d
               ORDER BY h.effective_on DESC, h.at DESC, h.id DESC LIMIT 1) IN ('active', 'renewed'));
END;
$$;

-- The staff chain for a stored member on day d. Before the history begins the member had the
-- status they were created with.
CREATE FUNCTION staff_ineligible_reason(p_staff uuid, d date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    member staff%ROWTYPE;
    status_then text;
    client_active boolean;
BEGIN
    SELECT * INTO member FROM staff WHERE id = p_staff;
    IF NOT FOUND OR member.deleted_at IS NOT NULL THEN RETURN 'person_inactive'; END IF;
    SELECT h.status INTO status_then FROM staff_status_changes h
        WHERE h.staff_id = p_staff AND h.effective_on <= d
        ORDER BY h.effective_on DESC, h.at DESC, h.id DESC LIMIT 1;
    IF status_then IS NULL THEN
        SELECT h.status INTO status_then FROM staff_status_changes h
            WHERE h.staff_id = p_staff ORDER BY h.effective_on, h.at, h.id LIMIT 1;
    END IF;
    SELECT k.status = 'active' AND k.deleted_at IS NULL INTO client_active FROM clients k WHERE k.id = member.client_id;
    RETURN staff_chain(coalesce(status_then, member.status), member.employment_start, member.employment_end,
                       coalesce(client_active, false), contract_covers(member.client_id, d), d);
END;
$$;

CREATE FUNCTION beneficiary_ineligible_reason(p_beneficiary uuid, d date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    dependent beneficiaries%ROWTYPE;
    status_then text;
BEGIN
    SELECT * INTO dependent FROM beneficiaries WHERE id = p_beneficiary;
    IF NOT FOUND THEN RETURN 'beneficiary_inactive'; END IF;
    SELECT h.status INTO status_then FROM beneficiary_status_changes h
        WHERE h.beneficiary_id = p_beneficiary AND h.effective_on <= d
        ORDER BY h.effective_on DESC, h.at DESC, h.id DESC LIMIT 1;
    IF status_then IS NULL THEN
        SELECT h.status INTO status_then FROM beneficiary_status_changes h
            WHERE h.beneficiary_id = p_beneficiary ORDER BY h.effective_on, h.at, h.id LIMIT 1;
    END IF;
    RETURN beneficiary_chain(dependent.deleted_at IS NULL AND coalesce(status_then, dependent.status) = 'active',
                             staff_ineligible_reason(dependent.staff_id, d));
END;
$$;
