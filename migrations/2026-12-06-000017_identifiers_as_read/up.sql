-- Identifiers compare as people read them: employee numbers and e-mails are stored
-- NFKC-normalised (the API and the import normalise what they are sent), and employee numbers
-- are unique per client without regard to case (`EA1`, `ＥＡ1` and `ea1` are one number).
UPDATE staff SET employee_number = normalize(employee_number, NFKC)
 WHERE employee_number IS NOT NULL AND employee_number IS NOT NFKC NORMALIZED;
UPDATE member_profiles SET email = lower(normalize(email, NFKC))
 WHERE email IS NOT NULL AND (email IS NOT NFKC NORMALIZED OR email <> lower(email));

DROP INDEX staff_employee_number_key;
CREATE UNIQUE INDEX staff_employee_number_key ON staff (client_id, lower(employee_number))
    WHERE employee_number IS NOT NULL AND deleted_at IS NULL;

-- The searched texts follow the normalised values.
UPDATE staff s
   SET search_text = member_search_text(p.full_name, p.preferred_name, s.employee_number),
       contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_profiles p
 WHERE p.id = s.profile_id;
UPDATE beneficiaries b
   SET contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_profiles p
 WHERE p.id = b.profile_id;

-- The updates above moved the list version by statement triggers; fold their deltas now.
SELECT client_counts_roll_up();
