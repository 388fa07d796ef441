-- One audit record per member changed, from the uploader, naming the fields but never their
-- values. $1 import, $2 client, $3 the file's columns, $4 now, then the actor's user id, label,
-- address, user agent and request id ($5-$9).
INSERT INTO audit_logs (occurred_at, action, outcome, entity_type, entity_id, actor_user_id, actor_label,
                        ip, user_agent, request_id, changes, details)
SELECT $4,
       CASE r.kind WHEN 'staff' THEN 'staff.' ELSE 'beneficiary.' END
           || CASE r.outcome WHEN 'created' THEN 'create' WHEN 'updated' THEN 'update' ELSE 'deactivate' END,
       'success',
       CASE r.kind WHEN 'staff' THEN 'staff' ELSE 'beneficiary' END,
       coalesce(r.member_id, r.new_id)::text,
       $5, left($6, 320), left($7, 64), left($8, 512), left($9, 128),
       (SELECT coalesce(jsonb_agg(jsonb_build_object('field', f, 'old', NULL, 'new', NULL)), '[]'::jsonb)
          FROM unnest(CASE r.outcome WHEN 'created' THEN $3
                                     WHEN 'updated' THEN r.changed
                                     ELSE ARRAY['status', 'employment_end', 'status_reason'] END) f),
       jsonb_build_object('client_id', $2::text, 'import_id', $1::text)
  FROM member_import_rows r
 WHERE r.import_id = $1 AND r.outcome IN ('created', 'updated', 'deactivated')
 ORDER BY r.seq
