DROP INDEX beneficiaries_contact_search;
DROP INDEX staff_contact_search;
ALTER TABLE beneficiaries DROP COLUMN contact_search_text;
ALTER TABLE staff DROP COLUMN contact_search_text;
DROP FUNCTION member_contact_search_text(text, text);
DROP FUNCTION member_search_text(text, text, text);
CREATE FUNCTION member_search_text(full_name text, preferred_name text, email text, phone text,
                                   employee_number text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(concat_ws(' ', full_name, preferred_name, email, phone, employee_number));
UPDATE staff s SET search_text = member_search_text(p.full_name, p.preferred_name, p.email, p.phone, s.employee_number)
  FROM member_profiles p WHERE p.id = s.profile_id;
UPDATE beneficiaries b SET search_text = member_search_text(p.full_name, p.preferred_name, p.email, p.phone, NULL)
  FROM member_profiles p WHERE p.id = b.profile_id;
