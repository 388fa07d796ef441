-- Dated truth: a record's status column is its status today. A change dated ahead waits in its
-- history (`applied = false`) and takes effect by itself on its day (the apply job moves the
-- status and writes the audit record); until then it shows as the record's scheduled change.
ALTER TABLE staff_status_changes ADD COLUMN applied boolean NOT NULL DEFAULT true;
ALTER TABLE beneficiary_status_changes ADD COLUMN applied boolean NOT NULL DEFAULT true;
ALTER TABLE contract_status_changes ADD COLUMN applied boolean NOT NULL DEFAULT true;

CREATE INDEX staff_status_changes_pending ON staff_status_changes (staff_id, effective_on) WHERE NOT applied;
CREATE INDEX beneficiary_status_changes_pending ON beneficiary_status_changes (beneficiary_id, effective_on) WHERE NOT applied;
CREATE INDEX contract_status_changes_pending ON contract_status_changes (contract_id, effective_on) WHERE NOT applied;
