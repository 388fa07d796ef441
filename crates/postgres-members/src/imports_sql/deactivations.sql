-- A full import's deactivations: the client's active staff no row of the file is.
INSERT INTO member_import_rows (import_id, seq, line, kind, new_id, employee_number, member_id, outcome)
SELECT $1, m.last + row_number() OVER (ORDER BY s.employee_number, s.id), NULL, 'staff', s.id,
       s.employee_number, s.id, 'deactivated'
  FROM staff s, (SELECT coalesce(max(seq), 0) AS last FROM member_import_rows WHERE import_id = $1) m
 WHERE s.client_id = $2 AND s.deleted_at IS NULL AND s.status IN ('active', 'on_leave')
   AND NOT EXISTS (SELECT 1 FROM member_import_rows r
                    WHERE r.import_id = $1 AND r.kind = 'staff' AND r.member_id = s.id)
