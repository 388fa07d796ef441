-- The statements of GET /api/v1/clients?search=… (captured from the server), pipelined like the API.
\set t random(1, 10)
\startpipeline
SELECT COUNT(*) FROM "clients" WHERE (("clients"."deleted_at" IS NULL) AND ("clients"."search_text" LIKE (ARRAY['%acme%','%bank%','%clinic%','%okello%','%client42%','%telecom%','%falcon%','%atim%','%ivory foods%','%+256 70%'])[:t]));
SELECT "clients"."id", "clients"."name", "clients"."email", "clients"."phone", "clients"."status", "clients"."is_verified", "clients"."industry_id", (SELECT "industries"."name" FROM "industries" WHERE ("industries"."id" = "clients"."industry_id") LIMIT 1), "clients"."account_manager_id", 0::bigint, "clients"."version", "clients"."created_at", "clients"."updated_at", "clients"."deleted_at" FROM "clients" WHERE (("clients"."deleted_at" IS NULL) AND ("clients"."search_text" LIKE (ARRAY['%acme%','%bank%','%clinic%','%okello%','%client42%','%telecom%','%falcon%','%atim%','%ivory foods%','%+256 70%'])[:t])) ORDER BY "clients"."created_at" DESC, "clients"."id" DESC LIMIT 10 OFFSET 0;
\endpipeline
