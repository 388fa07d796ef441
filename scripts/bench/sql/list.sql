-- The statements of GET /api/v1/clients (captured from the server), pipelined like the API.
\startpipeline
SELECT client_live_total(NULL);
SELECT "clients"."id", "clients"."name", "clients"."email", "clients"."phone", "clients"."status", "clients"."is_verified", "clients"."industry_id", (SELECT "industries"."name" FROM "industries" WHERE ("industries"."id" = "clients"."industry_id") LIMIT 1), "clients"."account_manager_id", 0::bigint, "clients"."version", "clients"."created_at", "clients"."updated_at", "clients"."deleted_at" FROM "clients" WHERE ("clients"."deleted_at" IS NULL) ORDER BY "clients"."created_at" DESC, "clients"."id" DESC LIMIT 10 OFFSET 0;
\endpipeline
