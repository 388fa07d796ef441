DROP INDEX audit_logs_people_shown;
DROP FUNCTION audit_people_shown(jsonb);
CREATE INDEX audit_logs_read_ids ON audit_logs USING gin ((details -> 'ids'));
CREATE INDEX audit_logs_read_staff_ids ON audit_logs USING gin ((details -> 'staff_ids'));

DROP TRIGGER contract_status_changes_waiting_added ON contract_status_changes;
DROP TRIGGER contract_status_changes_waiting_gone ON contract_status_changes;
DROP TRIGGER staff_status_changes_waiting_added ON staff_status_changes;
DROP TRIGGER staff_status_changes_waiting_gone ON staff_status_changes;
DROP TRIGGER beneficiary_status_changes_waiting_added ON beneficiary_status_changes;
DROP TRIGGER beneficiary_status_changes_waiting_gone ON beneficiary_status_changes;
DROP FUNCTION keep_scheduled_change();

ALTER TABLE contracts DROP COLUMN scheduled_status, DROP COLUMN scheduled_on;
ALTER TABLE staff DROP COLUMN scheduled_status, DROP COLUMN scheduled_on;
ALTER TABLE beneficiaries DROP COLUMN scheduled_status, DROP COLUMN scheduled_on;

DROP INDEX contract_status_changes_waiting;
DROP INDEX staff_status_changes_waiting;
DROP INDEX beneficiary_status_changes_waiting;
CREATE INDEX staff_status_changes_pending ON staff_status_changes (staff_id, effective_on) WHERE NOT applied;
CREATE INDEX beneficiary_status_changes_pending ON beneficiary_status_changes (beneficiary_id, effective_on) WHERE NOT applied;
CREATE INDEX contract_status_changes_pending ON contract_status_changes (contract_id, effective_on) WHERE NOT applied;
