-- The statements of POST /api/v1/clients (captured from the server): one transaction with the
-- client and its audit row (the response is built from what was written).
\set hi random(1, 2147483647)
\set lo random(1, 999999999999)
BEGIN;
INSERT INTO "clients" ("id", "name", "email", "phone", "status", "is_verified", "metadata", "created_by", "version", "created_at", "updated_at") VALUES ((lpad(to_hex(:hi::bigint), 8, '0') || '-0000-4000-8000-' || lpad(:lo::text, 12, '0'))::uuid, 'Bench pg ' || (lpad(to_hex(:hi::bigint), 8, '0') || '-0000-4000-8000-' || lpad(:lo::text, 12, '0')), 'pg-' || (lpad(to_hex(:hi::bigint), 8, '0') || '-0000-4000-8000-' || lpad(:lo::text, 12, '0')) || '@example.com', '+256 700 000000', 'pending', false, '{}', NULL, 1, now(), now());
INSERT INTO "audit_logs" ("occurred_at", "action", "outcome", "entity_type", "entity_id", "actor_user_id", "actor_label", "ip", "user_agent", "request_id", "changes", "details") VALUES (now(), 'client.create', 'success', 'client', (lpad(to_hex(:hi::bigint), 8, '0') || '-0000-4000-8000-' || lpad(:lo::text, 12, '0')), NULL, 'bench@example.com', '127.0.0.1', 'wrk', NULL, '[{"new": "x", "old": null, "field": "name"}]', '{}');
COMMIT;
