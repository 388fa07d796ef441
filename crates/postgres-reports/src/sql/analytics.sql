-- The Advisor dashboard (axis_reports::analytics) in one statement, as one JSON document.
-- $1: the clients in scope (uuid[]); $2, $3: the period's first and last day (UTC);
-- $4: today. A client's snapshot of the period is its newest completed import created in it.
WITH scope AS (
    SELECT unnest($1::uuid[]) AS client_id
),
period_imports AS (
    SELECT i.id, i.client_id, i.status, i.created_at
    FROM advisor_imports i
    JOIN scope USING (client_id)
    WHERE i.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
      AND i.created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
),
snapshot AS (
    SELECT DISTINCT ON (client_id) id, client_id
    FROM period_imports
    WHERE status = 'completed'
    ORDER BY client_id, created_at DESC, id DESC
),
newest AS (
    SELECT DISTINCT ON (i.client_id) i.id, i.client_id
    FROM advisor_imports i
    JOIN scope USING (client_id)
    WHERE i.status = 'completed'
    ORDER BY i.client_id, i.created_at DESC, i.id DESC
),
-- Each snapshot's findings with their status today: resolved when the client's newest
-- snapshot lacks them, else what people set (open without a state).
findings AS (
    SELECT r.finding_id, s.client_id, r.category, r.annual_savings, r.currency, r.alternative,
           CASE WHEN NOT EXISTS (SELECT 1 FROM advisor_recommendations n
                                 JOIN newest ON newest.id = n.import_id
                                 WHERE n.finding_id = r.finding_id)
                THEN 'resolved'
                ELSE coalesce(nullif(f.status, 'resolved'), 'open') END AS status
    FROM advisor_recommendations r
    JOIN snapshot s ON s.id = r.import_id
    LEFT JOIN advisor_findings f ON f.id = r.finding_id
),
client_savings AS (
    SELECT f.client_id, c.name AS client_name, f.currency, sum(f.annual_savings) AS annual,
           count(*) AS findings,
           row_number() OVER (PARTITION BY f.currency ORDER BY sum(f.annual_savings) DESC, f.client_id) AS rank
    FROM findings f
    JOIN clients c ON c.id = f.client_id
    WHERE f.annual_savings IS NOT NULL AND f.currency IS NOT NULL AND f.alternative IS NULL
    GROUP BY f.client_id, c.name, f.currency
),
past_due AS (
    SELECT f.client_id, c.name AS client_name, count(*) AS findings
    FROM advisor_findings f
    JOIN scope USING (client_id)
    JOIN clients c ON c.id = f.client_id
    -- Today's status as the findings read it: a state marked resolved while the finding was
    -- gone is open again once the newest snapshot has it (checked next).
    WHERE coalesce(nullif(f.status, 'resolved'), 'open') IN ('open', 'in_progress') AND f.due_date < $4::date
      AND EXISTS (SELECT 1 FROM advisor_recommendations n
                  JOIN newest ON newest.id = n.import_id
                  WHERE n.finding_id = f.id)
    GROUP BY f.client_id, c.name
)
SELECT jsonb_build_object(
    'imports_by_month', coalesce((
        SELECT jsonb_agg(m ORDER BY m.month)
        FROM (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*) AS imports,
                     count(*) FILTER (WHERE status = 'completed') AS completed,
                     count(*) FILTER (WHERE status = 'failed') AS failed
              FROM period_imports GROUP BY 1) m), '[]'),
    'reports_by_month', coalesce((
        SELECT jsonb_agg(m ORDER BY m.month, m.report_type)
        FROM (SELECT to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, r.report_type::text AS report_type,
                     count(*) AS reports
              FROM reports r
              JOIN scope USING (client_id)
              WHERE r.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
                AND r.created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
              GROUP BY 1, 2) m), '[]'),
    'clients_with_snapshot', (SELECT count(*) FROM snapshot),
    'findings', coalesce((
        SELECT jsonb_agg(m ORDER BY m.category, m.status)
        FROM (SELECT category, status, count(*) AS findings FROM findings GROUP BY 1, 2) m), '[]'),
    'savings', coalesce((
        SELECT jsonb_agg(m ORDER BY m.currency)
        FROM (SELECT currency, round(sum(annual), 2)::text AS annual,
                     round(sum(annual) / 12, 2)::text AS monthly,
                     count(*) AS clients
              FROM client_savings GROUP BY currency) m), '[]'),
    'top_clients', coalesce((
        SELECT jsonb_agg(m ORDER BY m.currency, m.rank)
        FROM (SELECT client_id, client_name, currency, rank,
                     round(annual, 2)::text AS annual, findings
              FROM client_savings WHERE rank <= 10) m), '[]'),
    'open_past_due', coalesce((SELECT sum(findings) FROM past_due), 0),
    'past_due_by_client', coalesce((
        SELECT jsonb_agg(m ORDER BY m.findings DESC, m.client_name)
        FROM (SELECT client_id, client_name, findings FROM past_due) m), '[]')
) AS analytics
