-- The check of a staged import, statement by statement in order. $1 is the import, $2 its
-- client, $3 the documented names of the file's columns.

-- The rows just loaded have no statistics yet: without them the planner takes every join
-- below for one of a few rows (a dependent's staff member took 11.6 s for 10,000 rows).
ANALYZE member_import_rows;

-- A repeated check (a retried job) starts from the rows as read.
DELETE FROM member_import_rows WHERE import_id = $1 AND line IS NULL;

UPDATE member_import_rows SET check_errors = NULL, member_id = NULL, staff_id = NULL, outcome = NULL,
       changed = '{}'
 WHERE import_id = $1;

-- Staff by employee number (rows that failed their own checks too: a full import must not
-- deactivate a member whose row is only malformed).
UPDATE member_import_rows r SET member_id = s.id
  FROM staff s
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.employee_number IS NOT NULL
   AND s.client_id = $2 AND s.deleted_at IS NULL AND lower(s.employee_number) = lower(r.employee_number);

-- Then by e-mail, when the numbers do not say otherwise.
WITH by_email AS (
    SELECT lower(p.email) AS email, count(*) AS n, (array_agg(s.id))[1] AS id,
           (array_agg(s.employee_number))[1] AS employee_number
      FROM staff s JOIN member_profiles p ON p.id = s.profile_id
     WHERE s.client_id = $2 AND s.deleted_at IS NULL AND p.email IS NOT NULL
     GROUP BY lower(p.email))
UPDATE member_import_rows r
   SET member_id = CASE WHEN m.n = 1 AND (r.employee_number IS NULL OR m.employee_number IS NULL)
                        THEN m.id END,
       check_errors = CASE
           WHEN m.n > 1 THEN
               '{"email": ["matches more than one staff member: give the employee number"]}'::jsonb
           WHEN r.employee_number IS NOT NULL AND m.employee_number IS NOT NULL THEN
               '{"email": ["belongs to a staff member with another employee number"]}'::jsonb
           END
  FROM by_email m
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.member_id IS NULL
   AND r.email IS NOT NULL AND m.email = lower(r.email);

-- One staff member per row: a number (in any case), a matched member or an e-mail that
-- comes again is refused on the later rows, naming the first; a row that repeats two of
-- them hears of both.
WITH keys AS (
    SELECT seq, line, 'employee_number' AS key_field, 'n:' || lower(employee_number) AS key
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND employee_number IS NOT NULL
    UNION ALL
    SELECT seq, line, 'email', 'm:' || member_id
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND member_id IS NOT NULL
       AND employee_number IS NULL
    UNION ALL
    SELECT seq, line, 'email', 'e:' || lower(email)
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND email IS NOT NULL),
again AS (
    SELECT seq, key_field, first_value(line) OVER (PARTITION BY key ORDER BY seq) AS first_line,
           row_number() OVER (PARTITION BY key ORDER BY seq) AS nth
      FROM keys),
found AS (
    SELECT seq, jsonb_object_agg(key_field, jsonb_build_array('is on line ' || first_line || ' already')) AS errors
      FROM again WHERE nth > 1 GROUP BY seq)
UPDATE member_import_rows r
   SET check_errors = coalesce(r.check_errors, '{}'::jsonb) || f.errors
  FROM found f
 WHERE r.import_id = $1 AND r.seq = f.seq;

-- What stored staff members allow.
UPDATE member_import_rows r
   SET check_errors = coalesce(r.check_errors, '{}'::jsonb) || CASE
           WHEN s.anonymised_at IS NOT NULL THEN
               '{"employee_number": ["is an anonymised staff member, who cannot be updated"]}'::jsonb
           ELSE jsonb_build_object('employment_start', jsonb_build_array(
               'must not be after the employment end date ' || s.employment_end))
           END
  FROM staff s
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.member_id = s.id
   AND (s.anonymised_at IS NOT NULL OR s.employment_end < r.employment_start);

-- A dependent's staff member: a staff row of the file with their number, else a stored one.
-- Numbers compare without regard to case, as the stored ones are unique.
WITH file_staff AS (
    SELECT DISTINCT ON (lower(employee_number)) lower(employee_number) AS number_key,
           coalesce(member_id, new_id) AS id
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'staff' AND errors IS NULL AND check_errors IS NULL
       AND employee_number IS NOT NULL
     ORDER BY lower(employee_number), seq),
rejected_staff AS (
    SELECT DISTINCT ON (lower(employee_number)) lower(employee_number) AS number_key, line
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'staff' AND employee_number IS NOT NULL
       AND (errors IS NOT NULL OR check_errors IS NOT NULL)
     ORDER BY lower(employee_number), seq),
resolved AS (
    SELECT d.seq, coalesce(f.id, s.id) AS staff_id, rs.line AS rejected_line
      FROM member_import_rows d
      LEFT JOIN file_staff f ON f.number_key = lower(d.employee_number)
      LEFT JOIN staff s ON s.client_id = $2 AND s.deleted_at IS NULL
                       AND lower(s.employee_number) = lower(d.employee_number)
      LEFT JOIN rejected_staff rs ON rs.number_key = lower(d.employee_number)
     WHERE d.import_id = $1 AND d.kind = 'dependent' AND d.errors IS NULL)
UPDATE member_import_rows r
   SET staff_id = x.staff_id,
       check_errors = CASE
           WHEN x.staff_id IS NULL AND x.rejected_line IS NOT NULL THEN jsonb_build_object('employee_number',
               jsonb_build_array('names the staff member of line ' || x.rejected_line || ', whose row is rejected'))
           WHEN x.staff_id IS NULL THEN
               '{"employee_number": ["names no staff member of this client, in the file or on record"]}'::jsonb
           END
  FROM resolved x
 WHERE r.import_id = $1 AND r.seq = x.seq;

-- Dependents by their staff member, name and date of birth.
UPDATE member_import_rows r SET member_id = b.id
  FROM beneficiaries b JOIN member_profiles p ON p.id = b.profile_id
 WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.errors IS NULL AND r.check_errors IS NULL
   AND b.staff_id = r.staff_id AND b.deleted_at IS NULL
   AND lower(p.full_name) = lower(r.full_name) AND p.date_of_birth IS NOT DISTINCT FROM r.date_of_birth;

UPDATE member_import_rows r
   SET check_errors = '{"full_name": ["is an anonymised beneficiary, who cannot be updated"]}'::jsonb
  FROM beneficiaries b
 WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.member_id = b.id AND b.anonymised_at IS NOT NULL;

WITH again AS (
    SELECT seq, first_value(line) OVER w AS first_line, row_number() OVER w AS nth
      FROM member_import_rows
     WHERE import_id = $1 AND kind = 'dependent' AND errors IS NULL AND check_errors IS NULL
    WINDOW w AS (PARTITION BY staff_id, lower(full_name), date_of_birth ORDER BY seq))
UPDATE member_import_rows r
   SET check_errors = jsonb_build_object('full_name',
           jsonb_build_array('is on line ' || a.first_line || ' already (same staff member and date of birth)'))
  FROM again a
 WHERE r.import_id = $1 AND r.seq = a.seq AND a.nth > 1;

-- Which fields a matched staff member's row changes: the columns the file has.
UPDATE member_import_rows r
   SET changed = array_remove(ARRAY[
       CASE WHEN p.full_name IS DISTINCT FROM r.full_name THEN 'full_name' END,
       CASE WHEN 'preferred_name' = ANY($3) AND p.preferred_name IS DISTINCT FROM r.preferred_name THEN 'preferred_name' END,
       CASE WHEN 'date_of_birth' = ANY($3) AND p.date_of_birth IS DISTINCT FROM r.date_of_birth THEN 'date_of_birth' END,
       CASE WHEN 'gender' = ANY($3) AND p.gender IS DISTINCT FROM r.gender THEN 'gender' END,
       CASE WHEN 'phone' = ANY($3) AND p.phone IS DISTINCT FROM r.phone THEN 'phone' END,
       CASE WHEN 'email' = ANY($3) AND p.email IS DISTINCT FROM r.email THEN 'email' END,
       CASE WHEN 'address' = ANY($3) AND p.address IS DISTINCT FROM r.address THEN 'address' END,
       CASE WHEN 'preferred_language' = ANY($3) AND p.preferred_language IS DISTINCT FROM r.preferred_language THEN 'preferred_language' END,
       CASE WHEN 'preferred_contact_method' = ANY($3) AND p.preferred_contact_method IS DISTINCT FROM r.preferred_contact_method THEN 'preferred_contact_method' END,
       CASE WHEN 'emergency_contact_name' = ANY($3) AND p.emergency_contact_name IS DISTINCT FROM r.emergency_contact_name THEN 'emergency_contact_name' END,
       CASE WHEN 'emergency_contact_relation' = ANY($3) AND p.emergency_contact_relation IS DISTINCT FROM r.emergency_contact_relation THEN 'emergency_contact_relation' END,
       CASE WHEN 'emergency_contact_phone' = ANY($3) AND p.emergency_contact_phone IS DISTINCT FROM r.emergency_contact_phone THEN 'emergency_contact_phone' END,
       CASE WHEN 'emergency_contact_email' = ANY($3) AND p.emergency_contact_email IS DISTINCT FROM r.emergency_contact_email THEN 'emergency_contact_email' END,
       CASE WHEN 'employee_number' = ANY($3) AND s.employee_number IS DISTINCT FROM r.employee_number THEN 'employee_number' END,
       CASE WHEN 'job_title' = ANY($3) AND s.job_title IS DISTINCT FROM r.job_title THEN 'job_title' END,
       CASE WHEN 'department' = ANY($3) AND s.department IS DISTINCT FROM r.department THEN 'department' END,
       CASE WHEN 'staff_role' = ANY($3) AND s.role IS DISTINCT FROM r.staff_role THEN 'staff_role' END,
       CASE WHEN s.employment_start IS DISTINCT FROM r.employment_start THEN 'employment_start' END
   ], NULL)
  FROM staff s JOIN member_profiles p ON p.id = s.profile_id
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.errors IS NULL AND r.check_errors IS NULL
   AND s.id = r.member_id;

-- … and a matched dependent's row (the guardian only when the file has guardian columns).
UPDATE member_import_rows r
   SET changed = array_remove(ARRAY[
       CASE WHEN p.full_name IS DISTINCT FROM r.full_name THEN 'full_name' END,
       CASE WHEN 'preferred_name' = ANY($3) AND p.preferred_name IS DISTINCT FROM r.preferred_name THEN 'preferred_name' END,
       CASE WHEN 'gender' = ANY($3) AND p.gender IS DISTINCT FROM r.gender THEN 'gender' END,
       CASE WHEN 'phone' = ANY($3) AND p.phone IS DISTINCT FROM r.phone THEN 'phone' END,
       CASE WHEN 'email' = ANY($3) AND p.email IS DISTINCT FROM r.email THEN 'email' END,
       CASE WHEN 'address' = ANY($3) AND p.address IS DISTINCT FROM r.address THEN 'address' END,
       CASE WHEN 'preferred_language' = ANY($3) AND p.preferred_language IS DISTINCT FROM r.preferred_language THEN 'preferred_language' END,
       CASE WHEN 'preferred_contact_method' = ANY($3) AND p.preferred_contact_method IS DISTINCT FROM r.preferred_contact_method THEN 'preferred_contact_method' END,
       CASE WHEN 'emergency_contact_name' = ANY($3) AND p.emergency_contact_name IS DISTINCT FROM r.emergency_contact_name THEN 'emergency_contact_name' END,
       CASE WHEN 'emergency_contact_relation' = ANY($3) AND p.emergency_contact_relation IS DISTINCT FROM r.emergency_contact_relation THEN 'emergency_contact_relation' END,
       CASE WHEN 'emergency_contact_phone' = ANY($3) AND p.emergency_contact_phone IS DISTINCT FROM r.emergency_contact_phone THEN 'emergency_contact_phone' END,
       CASE WHEN 'emergency_contact_email' = ANY($3) AND p.emergency_contact_email IS DISTINCT FROM r.emergency_contact_email THEN 'emergency_contact_email' END,
       CASE WHEN b.relation IS DISTINCT FROM r.relation THEN 'relation' END,
       CASE WHEN 'guardian_name' = ANY($3) AND (b.guardian_kind IS DISTINCT FROM r.guardian_kind
                 OR b.guardian_name IS DISTINCT FROM r.guardian_name
                 OR b.guardian_relation IS DISTINCT FROM r.guardian_relation
                 OR b.guardian_phone IS DISTINCT FROM r.guardian_phone
                 OR b.guardian_email IS DISTINCT FROM r.guardian_email) THEN 'guardian' END
   ], NULL)
  FROM beneficiaries b JOIN member_profiles p ON p.id = b.profile_id
 WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.errors IS NULL AND r.check_errors IS NULL
   AND b.id = r.member_id;

UPDATE member_import_rows
   SET outcome = CASE WHEN errors IS NOT NULL OR check_errors IS NOT NULL THEN 'rejected'
                      WHEN member_id IS NULL THEN 'created'
                      WHEN cardinality(changed) > 0 THEN 'updated'
                      ELSE 'unchanged' END
 WHERE import_id = $1;
