-- Benchmark data for contracts: two per seeded client (20,000), one in force this year and one
-- draft for next year, each with its status history.
WITH numbered AS (
    SELECT id AS client_id, row_number() OVER (ORDER BY id) AS n FROM clients
), made AS (
    INSERT INTO contracts (id, client_id, number, title, start_date, end_date, status, billing_amount, currency,
                           billing_frequency, billing_model, payment_status, renewable, auto_renew,
                           renewal_notice_days, version, created_at, updated_at)
    SELECT gen_random_uuid(), client_id, 'B-' || year || '-' || lpad(n::text, 6, '0'),
           'EAP ' || year || ' for client ' || n,
           make_date(year, 1, 1), make_date(year, 12, 31),
           CASE WHEN year = 2026 THEN 'active' ELSE 'draft' END,
           1000000 + n * 100, 'UGX', 'monthly', 'fixed', 'pending', true, n % 4 = 0, 30, 1,
           now() - make_interval(mins => n::int), now() - make_interval(mins => n::int)
    FROM numbered, (VALUES (2026), (2027)) AS years (year)
    RETURNING id, status, created_at
)
INSERT INTO contract_status_changes (contract_id, status, effective_on, at)
SELECT id, status, created_at::date, created_at FROM made;
VACUUM ANALYZE contracts;
VACUUM ANALYZE contract_status_changes;
