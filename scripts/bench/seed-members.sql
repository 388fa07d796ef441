-- Benchmark data for members: five staff per seeded client (50,000) and 60,000 beneficiaries
-- (six for every five staff), each with a profile and a status history entry. The search text
-- is what the adapter writes: name, e-mail, phone and employee number, lower-cased.
CREATE TEMP TABLE made_staff AS
SELECT gen_random_uuid() AS id, c.id AS client_id, row_number() OVER (ORDER BY c.id, s) AS n
FROM clients c, generate_series(1, 5) AS s;

INSERT INTO member_profiles (id, full_name, date_of_birth, gender, phone, email, preferred_language)
SELECT id,
       (ARRAY['Amina', 'Joseph', 'Grace', 'Okello', 'Atim', 'Sarah', 'Moses', 'Ruth', 'Peter', 'Esther'])[n % 10 + 1]
           || ' ' || (ARRAY['Nakato', 'Mugisha', 'Achieng', 'Kato', 'Namubiru', 'Ssempa', 'Akello', 'Wasswa'])[n % 8 + 1]
           || ' ' || n,
       make_date(1960 + (n % 40)::int, (n % 12 + 1)::int, (n % 28 + 1)::int),
       CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END,
       '+256 7' || lpad((n % 100000000)::text, 8, '0'),
       'staff' || n || '@example.com',
       'en'
FROM made_staff;

INSERT INTO staff (id, client_id, profile_id, employee_number, job_title, department, role, employment_start,
                   status, search_text, contact_search_text, version, created_at, updated_at)
SELECT s.id, s.client_id, s.id, 'E-' || s.n, 'Officer',
       (ARRAY['Finance', 'Operations', 'Sales', 'Engineering', 'People'])[s.n % 5 + 1], 'staff',
       make_date(2015 + (s.n % 10)::int, 1, 1), 'active',
       member_search_text(p.full_name, p.preferred_name, 'E-' || s.n), member_contact_search_text(p.email, p.phone), 1,
       now() - make_interval(mins => s.n::int), now() - make_interval(mins => s.n::int)
FROM made_staff s JOIN member_profiles p ON p.id = s.id;

INSERT INTO staff_status_changes (staff_id, status, effective_on, at)
SELECT id, 'active', employment_start, created_at FROM staff;

CREATE TEMP TABLE made_beneficiaries AS
SELECT gen_random_uuid() AS id, s.id AS staff_id, s.client_id, row_number() OVER (ORDER BY s.n, b) AS n
FROM made_staff s, generate_series(1, 2) AS b
WHERE b = 1 OR s.n % 5 = 0;

INSERT INTO member_profiles (id, full_name, date_of_birth, phone, email)
SELECT id, 'Dependent ' || n, make_date(1990 + (n % 30)::int, (n % 12 + 1)::int, (n % 28 + 1)::int),
       '+256 77' || lpad((n % 10000000)::text, 7, '0'), 'dependent' || n || '@example.com'
FROM made_beneficiaries;

INSERT INTO beneficiaries (id, staff_id, client_id, profile_id, relation, status, search_text,
                           contact_search_text, version, created_at, updated_at)
SELECT b.id, b.staff_id, b.client_id, b.id, CASE WHEN b.n % 3 = 0 THEN 'spouse' ELSE 'parent' END, 'active',
       member_search_text(p.full_name, p.preferred_name, NULL), member_contact_search_text(p.email, p.phone), 1,
       now(), now()
FROM made_beneficiaries b JOIN member_profiles p ON p.id = b.id;

INSERT INTO beneficiary_status_changes (beneficiary_id, status, effective_on, at)
SELECT id, 'active', created_at::date, created_at FROM beneficiaries;

VACUUM ANALYZE member_profiles;
VACUUM ANALYZE staff;
VACUUM ANALYZE staff_status_changes;
VACUUM ANALYZE beneficiaries;
VACUUM ANALYZE beneficiary_status_changes;
