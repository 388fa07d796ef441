-- The writes of an applied import, statement by statement in order. $1 import, $2 client,
-- $3 the file's columns, $4 now, $5 today, $6 the effective date.

INSERT INTO member_profiles (id, full_name, preferred_name, date_of_birth, gender, phone, email, address,
                             preferred_language, preferred_contact_method, emergency_contact_name,
                             emergency_contact_relation, emergency_contact_phone, emergency_contact_email)
SELECT new_id, full_name, preferred_name, date_of_birth, gender, phone, email, address, preferred_language,
       preferred_contact_method, emergency_contact_name, emergency_contact_relation,
       emergency_contact_phone, emergency_contact_email
  FROM member_import_rows WHERE import_id = $1 AND outcome = 'created';

INSERT INTO staff (id, client_id, profile_id, employee_number, job_title, department, role,
                   employment_start, status, search_text, contact_search_text, version, created_at,
                   updated_at)
SELECT new_id, $2, new_id, employee_number, job_title, department, staff_role, employment_start, 'active',
       member_search_text(full_name, preferred_name, employee_number),
       member_contact_search_text(email, phone), 1, $4, $4
  FROM member_import_rows WHERE import_id = $1 AND kind = 'staff' AND outcome = 'created';

-- Active from the start of employment, as a member created through the API.
INSERT INTO staff_status_changes (staff_id, status, effective_on, at)
SELECT new_id, 'active', employment_start, $4
  FROM member_import_rows WHERE import_id = $1 AND kind = 'staff' AND outcome = 'created';

INSERT INTO beneficiaries (id, staff_id, client_id, profile_id, relation, guardian_kind, guardian_name,
                           guardian_relation, guardian_phone, guardian_email, status, search_text,
                           contact_search_text, version, created_at, updated_at)
SELECT new_id, staff_id, $2, new_id, relation, guardian_kind, guardian_name, guardian_relation,
       guardian_phone, guardian_email, 'active',
       member_search_text(full_name, preferred_name, NULL), member_contact_search_text(email, phone),
       1, $4, $4
  FROM member_import_rows WHERE import_id = $1 AND kind = 'dependent' AND outcome = 'created';

INSERT INTO beneficiary_status_changes (beneficiary_id, status, effective_on, at)
SELECT new_id, 'active', $5, $4
  FROM member_import_rows WHERE import_id = $1 AND kind = 'dependent' AND outcome = 'created';

-- Updates: the columns the file has.
UPDATE member_profiles p SET
       full_name = r.full_name,
       preferred_name = CASE WHEN 'preferred_name' = ANY($3) THEN r.preferred_name ELSE p.preferred_name END,
       date_of_birth = CASE WHEN 'date_of_birth' = ANY($3) THEN r.date_of_birth ELSE p.date_of_birth END,
       gender = CASE WHEN 'gender' = ANY($3) THEN r.gender ELSE p.gender END,
       phone = CASE WHEN 'phone' = ANY($3) THEN r.phone ELSE p.phone END,
       email = CASE WHEN 'email' = ANY($3) THEN r.email ELSE p.email END,
       address = CASE WHEN 'address' = ANY($3) THEN r.address ELSE p.address END,
       preferred_language = CASE WHEN 'preferred_language' = ANY($3) THEN r.preferred_language ELSE p.preferred_language END,
       preferred_contact_method = CASE WHEN 'preferred_contact_method' = ANY($3) THEN r.preferred_contact_method ELSE p.preferred_contact_method END,
       emergency_contact_name = CASE WHEN 'emergency_contact_name' = ANY($3) THEN r.emergency_contact_name ELSE p.emergency_contact_name END,
       emergency_contact_relation = CASE WHEN 'emergency_contact_relation' = ANY($3) THEN r.emergency_contact_relation ELSE p.emergency_contact_relation END,
       emergency_contact_phone = CASE WHEN 'emergency_contact_phone' = ANY($3) THEN r.emergency_contact_phone ELSE p.emergency_contact_phone END,
       emergency_contact_email = CASE WHEN 'emergency_contact_email' = ANY($3) THEN r.emergency_contact_email ELSE p.emergency_contact_email END
  FROM member_import_rows r
 WHERE r.import_id = $1 AND r.outcome = 'updated' AND p.id = r.member_id;

UPDATE staff s SET
       employee_number = CASE WHEN 'employee_number' = ANY($3) THEN r.employee_number ELSE s.employee_number END,
       job_title = CASE WHEN 'job_title' = ANY($3) THEN r.job_title ELSE s.job_title END,
       department = CASE WHEN 'department' = ANY($3) THEN r.department ELSE s.department END,
       role = CASE WHEN 'staff_role' = ANY($3) THEN r.staff_role ELSE s.role END,
       employment_start = r.employment_start,
       version = s.version + 1,
       updated_at = $4
  FROM member_import_rows r
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.outcome = 'updated' AND s.id = r.member_id;

UPDATE beneficiaries b SET
       relation = r.relation,
       guardian_kind = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_kind ELSE b.guardian_kind END,
       guardian_name = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_name ELSE b.guardian_name END,
       guardian_relation = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_relation ELSE b.guardian_relation END,
       guardian_phone = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_phone ELSE b.guardian_phone END,
       guardian_email = CASE WHEN 'guardian_name' = ANY($3) THEN r.guardian_email ELSE b.guardian_email END,
       version = b.version + 1,
       updated_at = $4
  FROM member_import_rows r
 WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.outcome = 'updated' AND b.id = r.member_id;

-- The searched text of every member updated, from the profile as it now is.
UPDATE staff s SET search_text = member_search_text(p.full_name, p.preferred_name, s.employee_number),
       contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_import_rows r, member_profiles p
 WHERE r.import_id = $1 AND r.kind = 'staff' AND r.outcome = 'updated' AND s.id = r.member_id AND p.id = s.profile_id;

UPDATE beneficiaries b SET search_text = member_search_text(p.full_name, p.preferred_name, NULL),
       contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_import_rows r, member_profiles p
 WHERE r.import_id = $1 AND r.kind = 'dependent' AND r.outcome = 'updated' AND b.id = r.member_id
   AND p.id = b.profile_id;

-- A full import's leavers: employment ends on the file's day ($6), inactive from the next,
-- as `/deactivate` does; a member who had not started by then never starts (inactive from
-- their start, so never covered). A day still ahead of today ($5) waits as a scheduled
-- change, which replaces any scheduled before it; the status moves now only when it is due.
DELETE FROM staff_status_changes h USING member_import_rows r
 WHERE r.import_id = $1 AND r.outcome = 'deactivated' AND h.staff_id = r.member_id AND NOT h.applied;

INSERT INTO staff_status_changes (staff_id, status, effective_on, at, reason, applied)
SELECT s.id, 'inactive', x.effective_on, $4, 'not in the eligibility file of ' || $6, x.effective_on <= $5
  FROM member_import_rows r JOIN staff s ON s.id = r.member_id,
       LATERAL (SELECT CASE WHEN s.employment_start > $6 THEN s.employment_start ELSE $6 + 1 END
                       AS effective_on) x
 WHERE r.import_id = $1 AND r.outcome = 'deactivated';

-- The members the change above (made at $4) reached: the status moves where it is due.
WITH leavers AS (
    SELECT h.staff_id, h.applied AS due
      FROM member_import_rows r JOIN staff_status_changes h ON h.staff_id = r.member_id
     WHERE r.import_id = $1 AND r.outcome = 'deactivated' AND h.at = $4 AND h.status = 'inactive')
UPDATE staff s SET employment_end = greatest($6, s.employment_start),
       status = CASE WHEN l.due THEN 'inactive' ELSE s.status END,
       leave_type = CASE WHEN l.due THEN NULL ELSE s.leave_type END,
       expected_return = CASE WHEN l.due THEN NULL ELSE s.expected_return END,
       status_reason = CASE WHEN l.due THEN 'not in the eligibility file of ' || $6 ELSE s.status_reason END,
       version = s.version + 1, updated_at = $4
  FROM leavers l
 WHERE s.id = l.staff_id;
