-- The client's ($1) findings with a state of their own that its newest snapshot ($2) lacks
-- are marked resolved ($3), so that they are open again when a later export has them. (A
-- finding without a state row needs nothing: it reads as resolved while the newest snapshot
-- lacks it.)
UPDATE advisor_findings f
SET status = 'resolved', updated_at = $3, version = version + 1
WHERE f.client_id = $1
  AND f.status <> 'resolved'
  AND NOT EXISTS (SELECT 1 FROM advisor_recommendations r WHERE r.finding_id = f.id AND r.import_id = $2)
