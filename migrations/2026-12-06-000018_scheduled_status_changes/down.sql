DROP INDEX contract_status_changes_pending;
ALTER TABLE contract_status_changes DROP COLUMN applied;
DROP INDEX beneficiary_status_changes_pending;
DROP INDEX staff_status_changes_pending;
ALTER TABLE beneficiary_status_changes DROP COLUMN applied;
ALTER TABLE staff_status_changes DROP COLUMN applied;
