-- A client's ($1) findings as its completed snapshots and the states people gave them say:
-- each with the figures of the newest snapshot that has it; `resolved` while the client's
-- newest snapshot lacks it, else its state's status (`open` without one, or when its state was
-- marked resolved before an export had it again); first seen and resolved when, from the
-- snapshots. Filters, each skipped when NULL: one finding ($2), status ($3), owner ($4),
-- category ($5), overdue on a day ($6). A page of $7 from $8 by due date, first seen and id,
-- each row with the filtered total.
WITH snapshots AS (
    SELECT id, created_at, finished_at,
           row_number() OVER (ORDER BY created_at DESC, id DESC) AS age -- 1: the newest
    FROM advisor_imports
    WHERE client_id = $1 AND status = 'completed'
),
latest AS (
    SELECT DISTINCT ON (r.finding_id)
           r.finding_id, r.category, r.impact, r.recommendation, r.resource_name, r.resource_type,
           r.subscription_id, r.annual_savings, r.currency, s.age AS last_age,
           max(s.age) OVER (PARTITION BY r.finding_id) AS first_age
    FROM advisor_recommendations r
    JOIN snapshots s ON s.id = r.import_id
    WHERE $2::uuid IS NULL OR r.finding_id = $2
    ORDER BY r.finding_id, s.age
),
findings AS (
    SELECT l.finding_id AS id, $1::uuid AS client_id, l.category, l.impact, l.recommendation,
           l.resource_name, l.resource_type, l.subscription_id, l.annual_savings, l.currency,
           CASE WHEN l.last_age > 1 THEN 'resolved'
                ELSE coalesce(nullif(f.status, 'resolved'), 'open') END AS status,
           f.owner_id, owner.email::text AS owner_email, f.due_date, f.notes, f.dismissed_reason,
           last.id AS last_import_id,
           next.finished_at AS resolved_at,
           first.created_at AS created_at,
           coalesce(f.updated_at, last.finished_at) AS updated_at,
           coalesce(f.version, 1) AS version
    FROM latest l
    JOIN snapshots last ON last.age = l.last_age
    JOIN snapshots first ON first.age = l.first_age
    LEFT JOIN snapshots next ON next.age = l.last_age - 1
    LEFT JOIN advisor_findings f ON f.id = l.finding_id
    LEFT JOIN users owner ON owner.id = f.owner_id
),
filtered AS (
    SELECT *
    FROM findings
    WHERE ($3::text IS NULL OR status = $3)
      AND ($4::uuid IS NULL OR owner_id = $4)
      AND ($5::text IS NULL OR category = $5)
      AND ($6::date IS NULL OR (due_date < $6 AND status IN ('open', 'in_progress')))
)
SELECT *, (SELECT count(*) FROM filtered) AS total
FROM filtered
ORDER BY due_date NULLS LAST, created_at, id
LIMIT $7 OFFSET $8
