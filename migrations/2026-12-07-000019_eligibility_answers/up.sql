-- Eligibility answers an agent can act on.
--
-- 1. Histories are read by one rule, the Rust `status_on`'s: of the changes effective on or
--    before day d, the one made last wins. A change recorded today and dated back (a contract
--    activated from its start date) overrides what was recorded earlier for the same days.
--    Before any change takes effect, the status is the first one recorded (what the record was
--    created with).
-- 2. A client that did not exist yet on day d is not active on d. It existed once its record
--    was made (before the instant day d ends in the organisation's time zone, `d_ends`, which
--    the caller computes from its clock), or on a day one of its contracts covers (a client
--    entered with its past contracts).
-- 3. Reads of person data name their people in `details.ids` (and a family read its staff
--    member in `details.staff_ids`): "who looked at this person" finds them by index.

CREATE OR REPLACE FUNCTION contract_covers(p_client uuid, d date)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM contracts c
        WHERE c.client_id = p_client AND c.deleted_at IS NULL AND d BETWEEN c.start_date AND c.end_date
          AND (SELECT h.status FROM contract_status_changes h
               WHERE h.contract_id = c.id AND h.effective_on <= d
               ORDER BY h.at DESC, h.id DESC LIMIT 1) IN ('active', 'renewed'));
END;
$$;

DROP FUNCTION beneficiary_ineligible_reason(uuid, date);
DROP FUNCTION staff_ineligible_reason(uuid, date);

-- The staff chain for a stored member on day d (ending at d_ends). Before the history begins
-- the member had the status they were created with.
CREATE FUNCTION staff_ineligible_reason(p_staff uuid, d date, d_ends timestamptz)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    member staff%ROWTYPE;
    status_then text;
    client_active boolean;
    covered boolean;
BEGIN
    SELECT * INTO member FROM staff WHERE id = p_staff;
    IF NOT FOUND OR member.deleted_at IS NOT NULL THEN RETURN 'person_inactive'; END IF;
    SELECT h.status INTO status_then FROM staff_status_changes h
        WHERE h.staff_id = p_staff AND h.effective_on <= d
        ORDER BY h.at DESC, h.id DESC LIMIT 1;
    IF status_then IS NULL THEN
        SELECT h.status INTO status_then FROM staff_status_changes h
            WHERE h.staff_id = p_staff ORDER BY h.at, h.id LIMIT 1;
    END IF;
    covered := contract_covers(member.client_id, d);
    SELECT k.status = 'active' AND k.deleted_at IS NULL AND (k.created_at < d_ends OR covered) INTO client_active
        FROM clients k WHERE k.id = member.client_id;
    RETURN staff_chain(coalesce(status_then, member.status), member.employment_start, member.employment_end,
                       coalesce(client_active, false), covered, d);
END;
$$;

CREATE FUNCTION beneficiary_ineligible_reason(p_beneficiary uuid, d date, d_ends timestamptz)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    dependent beneficiaries%ROWTYPE;
    status_then text;
BEGIN
    SELECT * INTO dependent FROM beneficiaries WHERE id = p_beneficiary;
    IF NOT FOUND THEN RETURN 'beneficiary_inactive'; END IF;
    SELECT h.status INTO status_then FROM beneficiary_status_changes h
        WHERE h.beneficiary_id = p_beneficiary AND h.effective_on <= d
        ORDER BY h.at DESC, h.id DESC LIMIT 1;
    IF status_then IS NULL THEN
        SELECT h.status INTO status_then FROM beneficiary_status_changes h
            WHERE h.beneficiary_id = p_beneficiary ORDER BY h.at, h.id LIMIT 1;
    END IF;
    RETURN beneficiary_chain(dependent.deleted_at IS NULL AND coalesce(status_then, dependent.status) = 'active',
                             staff_ineligible_reason(dependent.staff_id, d, d_ends));
END;
$$;

CREATE INDEX audit_logs_read_ids ON audit_logs USING gin ((details -> 'ids'));
CREATE INDEX audit_logs_read_staff_ids ON audit_logs USING gin ((details -> 'staff_ids'));

-- Contacts: HR is a role of its own.
ALTER TABLE client_contacts DROP CONSTRAINT client_contacts_role_check;
ALTER TABLE client_contacts ADD CONSTRAINT client_contacts_role_check
    CHECK (role IN ('primary', 'billing', 'technical', 'executive', 'legal', 'hr', 'other'));

-- An import's report names columns as the file's header did: the header cell of each of
-- `file_columns`, in the same order.
ALTER TABLE member_imports ADD COLUMN file_headers text[] NOT NULL DEFAULT '{}';

-- The facts of eligibility answers (crates/postgres/src/members/eligibility.rs). They are
-- plpgsql functions planned once per session (`plan_cache_mode = force_generic_plan`): as
-- prepared statements their array parameters made PostgreSQL plan them again on every run,
-- about 1 ms each, more than running them.
--
-- The people asked, named by id (staff members' or beneficiaries') or by employee number (each
-- lower-cased number with its client): the staff member whose chain answers for each
-- (themselves, or a beneficiary's staff member), their dates, status and status history, their
-- employer, and for a beneficiary their own status and history. Histories in the order they
-- were recorded. No scope here: the caller keeps only the people its scoped search found.
CREATE FUNCTION eligibility_people(p_ids uuid[], p_number_clients uuid[], p_numbers text[])
RETURNS TABLE (person uuid, staff_id uuid, client_id uuid, staff_status text, employment_start date,
               employment_end date, staff_deleted boolean, staff_statuses text[], staff_days date[],
               staff_ats timestamptz[], client_active boolean, client_created_at timestamptz,
               beneficiary_status text, beneficiary_deleted boolean, beneficiary_statuses text[],
               beneficiary_days date[], beneficiary_ats timestamptz[])
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH asked (person, staff_id) AS (
        SELECT s.id, s.id FROM staff s WHERE s.id = ANY (p_ids)
        UNION
        SELECT b.id, b.staff_id FROM beneficiaries b WHERE b.id = ANY (p_ids)
        UNION
        SELECT s.id, s.id
        FROM unnest(p_number_clients, p_numbers) AS n (client_id, number)
        JOIN staff s ON s.client_id = n.client_id AND lower(s.employee_number) = n.number
    )
    SELECT asked.person, s.id, s.client_id, s.status::text, s.employment_start, s.employment_end,
           s.deleted_at IS NOT NULL,
           coalesce(sh.statuses, '{}'), coalesce(sh.days, '{}'), coalesce(sh.ats, '{}'),
           k.status = 'active' AND k.deleted_at IS NULL, k.created_at,
           b.status::text, b.deleted_at IS NOT NULL,
           coalesce(bh.statuses, '{}'), coalesce(bh.days, '{}'), coalesce(bh.ats, '{}')
    FROM asked
    JOIN staff s ON s.id = asked.staff_id
    JOIN clients k ON k.id = s.client_id
    LEFT JOIN beneficiaries b ON b.id = asked.person AND b.staff_id = s.id
    LEFT JOIN LATERAL (
        SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
               array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
               array_agg(h.at ORDER BY h.at, h.id) AS ats
        FROM staff_status_changes h WHERE h.staff_id = s.id
    ) sh ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
               array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
               array_agg(h.at ORDER BY h.at, h.id) AS ats
        FROM beneficiary_status_changes h WHERE h.beneficiary_id = b.id
    ) bh ON true;
END;
$$;

-- The live contracts that end on or after day `p_from` of the clients of the people `p_ids`
-- and of the clients `p_clients` (those named with an employee number), each with its status
-- history in the order recorded: what decides cover on that day and after it.
CREATE FUNCTION eligibility_contracts(p_ids uuid[], p_clients uuid[], p_from date)
RETURNS TABLE (id uuid, client_id uuid, number text, start_date date, end_date date,
               statuses text[], days date[], ats timestamptz[])
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH asked_clients (client_id) AS (
        SELECT s.client_id FROM staff s WHERE s.id = ANY (p_ids)
        UNION
        SELECT b.client_id FROM beneficiaries b WHERE b.id = ANY (p_ids)
        UNION
        SELECT unnest(p_clients)
    )
    SELECT c.id, c.client_id, c.number::text, c.start_date, c.end_date,
           coalesce(ch.statuses, '{}'), coalesce(ch.days, '{}'), coalesce(ch.ats, '{}')
    FROM contracts c
    LEFT JOIN LATERAL (
        SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
               array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
               array_agg(h.at ORDER BY h.at, h.id) AS ats
        FROM contract_status_changes h WHERE h.contract_id = c.id
    ) ch ON true
    WHERE c.client_id IN (SELECT a.client_id FROM asked_clients a) AND c.deleted_at IS NULL
      AND c.end_date >= p_from
    ORDER BY c.client_id, c.start_date, c.id;
END;
$$;
