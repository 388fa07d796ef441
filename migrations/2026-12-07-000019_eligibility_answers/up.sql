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
