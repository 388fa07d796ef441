-- The rows of a file as read, one array per column ($2 … $30) for import $1.
INSERT INTO member_import_rows (import_id, seq, line, kind, new_id, employee_number, full_name, preferred_name,
    date_of_birth, gender, phone, email, address, preferred_language, preferred_contact_method,
    emergency_contact_name, emergency_contact_relation, emergency_contact_phone, emergency_contact_email,
    job_title, department, staff_role, employment_start, relation, guardian_kind, guardian_name,
    guardian_relation, guardian_phone, guardian_email, errors)
SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
    $9::date[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
    $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::date[], $24::text[],
    $25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::jsonb[])
