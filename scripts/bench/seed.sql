-- Benchmark data: 4 more industries (50 in all) and 10,000 clients spread over them.
INSERT INTO industries (id, name, code, parent_id, level) VALUES
    ('01900000-0000-7000-8002-000000000001', 'Mining', 'MIN', NULL, 0),
    ('01900000-0000-7000-8002-000000000002', 'Gold Mining', 'MIN-GLD', '01900000-0000-7000-8002-000000000001', 1),
    ('01900000-0000-7000-8002-000000000003', 'Media', 'MED', NULL, 0),
    ('01900000-0000-7000-8002-000000000004', 'Broadcasting', 'MED-BRD', '01900000-0000-7000-8002-000000000003', 1);

WITH numbered AS (
    SELECT id AS industry_id, row_number() OVER (ORDER BY code) - 1 AS n FROM industries
)
INSERT INTO clients (id, name, email, phone, contact_person, contact_email, industry_id, status, is_verified,
                     created_at, updated_at)
SELECT gen_random_uuid(),
       (ARRAY['Acme', 'Bravo', 'Crescent', 'Delta', 'Equator', 'Falcon', 'Granite', 'Horizon', 'Ivory', 'Jade'])[1 + i % 10]
           || ' ' || (ARRAY['Holdings', 'Bank', 'Clinic', 'Logistics', 'Telecom', 'Foods', 'Energy', 'Schools'])[1 + (i / 10) % 8]
           || ' ' || i,
       'client' || i || '@example.com',
       '+256 7' || lpad((i % 100000000)::text, 8, '0'),
       (ARRAY['Grace Akello', 'John Okello', 'Amina Nansubuga', 'Peter Mugisha', 'Sarah Atim'])[1 + i % 5],
       'contact' || i || '@example.com',
       (SELECT industry_id FROM numbered WHERE n = i % 50),
       (ARRAY['active', 'active', 'active', 'pending', 'inactive'])[1 + i % 5],
       i % 3 = 0,
       now() - make_interval(mins => i),
       now() - make_interval(mins => i)
FROM generate_series(1, 10000) AS i;
-- Fold the counter deltas as the running server would, and vacuum as autovacuum would have on
-- a live database.
SELECT client_counts_roll_up();
VACUUM ANALYZE;
