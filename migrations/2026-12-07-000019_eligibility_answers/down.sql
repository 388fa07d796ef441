DROP FUNCTION eligibility_contracts(uuid[], uuid[], date);
DROP FUNCTION eligibility_people(uuid[], uuid[], text[]);
ALTER TABLE member_imports DROP COLUMN file_headers;

ALTER TABLE client_contacts DROP CONSTRAINT client_contacts_role_check;
UPDATE client_contacts SET role = 'other' WHERE role = 'hr';
ALTER TABLE client_contacts ADD CONSTRAINT client_contacts_role_check
    CHECK (role IN ('primary', 'billing', 'technical', 'executive', 'legal', 'other'));

DROP INDEX audit_logs_read_staff_ids;
DROP INDEX audit_logs_read_ids;

DROP FUNCTION beneficiary_ineligible_reason(uuid, date, timestamptz);
DROP FUNCTION staff_ineligible_reason(uuid, date, timestamptz);

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

CREATE OR REPLACE FUNCTION contract_covers(p_client uuid, d date)
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
