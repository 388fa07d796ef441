-- Reads that cost what they cost before dated truth (issue 24's "no more than 5 % slower").
--
-- 1. A record's scheduled change (the change of its history waiting for its day; at most one
--    waits, a later change withdraws it) is kept on the record itself, so that every read of
--    records takes it with their row: no subquery per row, nothing more to plan. The history
--    stays the truth: a trigger on each history keeps the two columns equal to its waiting
--    change, whichever statement writes the history (an action, the apply job, an import).

-- Several changes waiting for one record could only come from a writer that broke the rule;
-- the one recorded last is the instruction that stands.
DELETE FROM contract_status_changes h USING contract_status_changes later
 WHERE NOT h.applied AND NOT later.applied AND later.contract_id = h.contract_id
   AND (later.at, later.id) > (h.at, h.id);
DELETE FROM staff_status_changes h USING staff_status_changes later
 WHERE NOT h.applied AND NOT later.applied AND later.staff_id = h.staff_id
   AND (later.at, later.id) > (h.at, h.id);
DELETE FROM beneficiary_status_changes h USING beneficiary_status_changes later
 WHERE NOT h.applied AND NOT later.applied AND later.beneficiary_id = h.beneficiary_id
   AND (later.at, later.id) > (h.at, h.id);

DROP INDEX contract_status_changes_pending;
DROP INDEX staff_status_changes_pending;
DROP INDEX beneficiary_status_changes_pending;
CREATE UNIQUE INDEX contract_status_changes_waiting ON contract_status_changes (contract_id) WHERE NOT applied;
CREATE UNIQUE INDEX staff_status_changes_waiting ON staff_status_changes (staff_id) WHERE NOT applied;
CREATE UNIQUE INDEX beneficiary_status_changes_waiting ON beneficiary_status_changes (beneficiary_id) WHERE NOT applied;

ALTER TABLE contracts ADD COLUMN scheduled_status text, ADD COLUMN scheduled_on date;
ALTER TABLE staff ADD COLUMN scheduled_status text, ADD COLUMN scheduled_on date;
ALTER TABLE beneficiaries ADD COLUMN scheduled_status text, ADD COLUMN scheduled_on date;

UPDATE contracts c SET scheduled_status = h.status, scheduled_on = h.effective_on
  FROM contract_status_changes h WHERE h.contract_id = c.id AND NOT h.applied;
UPDATE staff s SET scheduled_status = h.status, scheduled_on = h.effective_on
  FROM staff_status_changes h WHERE h.staff_id = s.id AND NOT h.applied;
UPDATE beneficiaries b SET scheduled_status = h.status, scheduled_on = h.effective_on
  FROM beneficiary_status_changes h WHERE h.beneficiary_id = b.id AND NOT h.applied;

-- Fired for a history row that waits (inserted waiting) or waited (withdrawn or applied):
-- copies the record's waiting change, or none, onto the record. TG_ARGV: the records' table,
-- and the history's column naming the record. Rows that never wait (most of them, and every
-- row of a bulk import dated today) fire nothing.
CREATE FUNCTION keep_scheduled_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    EXECUTE format(
        'UPDATE %I SET (scheduled_status, scheduled_on) =
             (SELECT status, effective_on FROM %I WHERE %I = $1 AND NOT applied)
          WHERE id = $1',
        TG_ARGV[0], TG_TABLE_NAME, TG_ARGV[1])
    USING (changed ->> TG_ARGV[1])::uuid;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contract_status_changes_waiting_added AFTER INSERT ON contract_status_changes
    FOR EACH ROW WHEN (NOT NEW.applied) EXECUTE FUNCTION keep_scheduled_change('contracts', 'contract_id');
CREATE TRIGGER contract_status_changes_waiting_gone AFTER UPDATE OR DELETE ON contract_status_changes
    FOR EACH ROW WHEN (NOT OLD.applied) EXECUTE FUNCTION keep_scheduled_change('contracts', 'contract_id');
CREATE TRIGGER staff_status_changes_waiting_added AFTER INSERT ON staff_status_changes
    FOR EACH ROW WHEN (NOT NEW.applied) EXECUTE FUNCTION keep_scheduled_change('staff', 'staff_id');
CREATE TRIGGER staff_status_changes_waiting_gone AFTER UPDATE OR DELETE ON staff_status_changes
    FOR EACH ROW WHEN (NOT OLD.applied) EXECUTE FUNCTION keep_scheduled_change('staff', 'staff_id');
CREATE TRIGGER beneficiary_status_changes_waiting_added AFTER INSERT ON beneficiary_status_changes
    FOR EACH ROW WHEN (NOT NEW.applied) EXECUTE FUNCTION keep_scheduled_change('beneficiaries', 'beneficiary_id');
CREATE TRIGGER beneficiary_status_changes_waiting_gone AFTER UPDATE OR DELETE ON beneficiary_status_changes
    FOR EACH ROW WHEN (NOT OLD.applied) EXECUTE FUNCTION keep_scheduled_change('beneficiaries', 'beneficiary_id');

-- 2. "Who looked at this person": one index over the people a record shows besides its entity
--    (a list's `ids`, a family's or a batch's `staff_ids` and `beneficiary_ids`), holding only
--    the records that show some (a read of one person names them as its entity, which the
--    entity index finds). Hashed keys (`jsonb_path_ops`): a list's read record adds 25 small
--    entries, and nothing else any.
DROP INDEX audit_logs_read_ids;
DROP INDEX audit_logs_read_staff_ids;
CREATE FUNCTION audit_people_shown(details jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(details -> 'ids', '[]') || coalesce(details -> 'staff_ids', '[]')
        || coalesce(details -> 'beneficiary_ids', '[]');
CREATE INDEX audit_logs_people_shown ON audit_logs USING gin (audit_people_shown(details) jsonb_path_ops)
    WHERE details ?| ARRAY['ids', 'staff_ids', 'beneficiary_ids'];

-- The statements above moved the list version (their tables' statement triggers): fold those
-- marks in now, as the server's roll-up would, so a new database starts with none pending.
SELECT client_counts_roll_up();
