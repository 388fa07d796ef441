-- The rows import $1 did not take, one array per column.
INSERT INTO advisor_import_problems (import_id, line, seq, kind, column_name, message)
SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[])
