-- The statements of GET /api/v1/clients, captured from the server's statement log, with
-- every value the server binds as a parameter bound here too (pgbench -M prepared turns
-- :name into $n), so PostgreSQL plans them exactly as it plans the server's. Pipelined like
-- the server.
\set one 1
\set zero 0
\set limit 10
\set offset 0
\startpipeline
SELECT client_live_total(NULL);
SELECT "clients"."id", "clients"."name", "clients"."email", "clients"."phone", "clients"."status", "clients"."is_verified", "clients"."industry_id", (SELECT "industries"."name" FROM "industries" WHERE ("industries"."id" = "clients"."industry_id") LIMIT :one), "clients"."account_manager_id", :zero::bigint, "clients"."version", "clients"."created_at", "clients"."updated_at", "clients"."deleted_at" FROM "clients" WHERE ("clients"."deleted_at" IS NULL) ORDER BY "clients"."created_at" DESC, "clients"."id" DESC LIMIT :limit OFFSET :offset;
\endpipeline
