-- Benchmark data for the KPI performance endpoint: one KPI type, a client's KPI, 50 assignments
-- (to one contract of a seeded client each) with 100 monthly measurements each (5,000 rows).
INSERT INTO kpi_types (id, name, weight, version, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-00000000b001', 'Bench quality', 2, 1, now(), now());
WITH picked AS (
    SELECT c.id AS contract_id, c.client_id, row_number() OVER (ORDER BY c.id) AS n
    FROM contracts c WHERE c.status = 'active' ORDER BY c.id LIMIT 50
), kpi AS (
    INSERT INTO kpis (id, name, kpi_type_id, unit, unit_type, target, direction, public, client_id,
                      version, created_at, updated_at)
    SELECT gen_random_uuid(), 'Utilisation ' || n, '00000000-0000-7000-8000-00000000b001', '%', 'percentage',
           5, 'higher_is_better', true, client_id, 1, now(), now()
    FROM picked
    RETURNING id, client_id
), assigned AS (
    INSERT INTO kpi_assignments (id, kpi_id, contract_id, client_id, target, frequency, status, start_date,
                                 version, created_at, updated_at)
    SELECT gen_random_uuid(), kpi.id, picked.contract_id, picked.client_id, NULL, 'monthly', 'ongoing',
           DATE '2010-01-01', 1, now(), now()
    FROM kpi JOIN picked USING (client_id)
    RETURNING id
)
INSERT INTO kpi_measurements (id, assignment_id, period_start, period_end, value, recorded_at, version)
SELECT gen_random_uuid(), assigned.id, (DATE '2010-01-01' + make_interval(months => m))::date,
       (DATE '2010-01-01' + make_interval(months => m + 1) - interval '1 day')::date,
       round((random() * 10)::numeric, 2), now(), 1
FROM assigned, generate_series(0, 99) AS m;
VACUUM ANALYZE kpi_types, kpis, kpi_assignments, kpi_measurements;
