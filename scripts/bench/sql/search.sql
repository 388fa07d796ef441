-- The statements of GET /api/v1/clients?search=…, captured like list.sql. The pattern is
-- picked from the same ten terms by a bound index (pgbench variables hold numbers only); a
-- custom plan folds it to the same constant the server's bound pattern becomes. The server
-- counts each term's matches once and then reads only the list version with the page (the
-- totals are remembered until a write; see docs/ARCHITECTURE.md), so these are the
-- statements of every request after the first ten.
\set one 1
\set zero 0
\set limit 10
\set offset 0
\set t random(1, 10)
\startpipeline
SELECT list_version();
SELECT "clients"."id", "clients"."name", "clients"."email", "clients"."phone", "clients"."status", "clients"."is_verified", "clients"."industry_id", (SELECT "industries"."name" FROM "industries" WHERE ("industries"."id" = "clients"."industry_id") LIMIT :one), "clients"."account_manager_id", :zero::bigint, "clients"."version", "clients"."created_at", "clients"."updated_at", "clients"."deleted_at" FROM "clients" WHERE (("clients"."deleted_at" IS NULL) AND ("clients"."search_text" LIKE (ARRAY['%acme%','%bank%','%clinic%','%okello%','%client42%','%telecom%','%falcon%','%atim%','%ivory foods%','%+256 70%'])[:t])) ORDER BY "clients"."created_at" DESC, "clients"."id" DESC LIMIT :limit OFFSET :offset;
\endpipeline
