-- The client's ($1) findings the newest snapshot ($2) no longer has are resolved at $3.
UPDATE advisor_findings
SET status = 'resolved', resolved_at = $3, updated_at = $3, version = version + 1
WHERE client_id = $1 AND last_import_id <> $2 AND status <> 'resolved'
