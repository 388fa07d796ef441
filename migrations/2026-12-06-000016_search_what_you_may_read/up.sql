-- What a role may not read it may not search: a member's contact data (e-mail, phone) is
-- searched apart from the rest, so a viewer's search never matches it.

DROP FUNCTION member_search_text(text, text, text, text, text);

-- What every role may search: name, preferred name and employee number, lower-cased.
CREATE FUNCTION member_search_text(full_name text, preferred_name text, employee_number text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(concat_ws(' ', full_name, preferred_name, employee_number));

-- What only roles that read contact data may search: e-mail and phone, lower-cased.
CREATE FUNCTION member_contact_search_text(email text, phone text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(concat_ws(' ', email, phone));

ALTER TABLE staff ADD COLUMN contact_search_text text NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN contact_search_text text NOT NULL DEFAULT '';

UPDATE staff s
   SET search_text = member_search_text(p.full_name, p.preferred_name, s.employee_number),
       contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_profiles p
 WHERE p.id = s.profile_id;

UPDATE beneficiaries b
   SET search_text = member_search_text(p.full_name, p.preferred_name, NULL),
       contact_search_text = member_contact_search_text(p.email, p.phone)
  FROM member_profiles p
 WHERE p.id = b.profile_id;

ALTER TABLE staff ALTER COLUMN contact_search_text DROP DEFAULT;
ALTER TABLE beneficiaries ALTER COLUMN contact_search_text DROP DEFAULT;

CREATE INDEX staff_contact_search ON staff USING gin (contact_search_text gin_trgm_ops);
CREATE INDEX beneficiaries_contact_search ON beneficiaries USING gin (contact_search_text gin_trgm_ops);

-- The updates above moved the list version by statement triggers; fold their deltas now.
SELECT client_counts_roll_up();
