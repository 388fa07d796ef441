-- The facts of the people asked: by id ($1) or by employee number ($2 clients, $3 lower-cased
-- numbers). The query is the plpgsql function of migration 000019, planned once per session.
SELECT * FROM eligibility_people($1, $2, $3)
