-- The contracts deciding cover from day $3 for the clients of the people $1 and the clients
-- $2. The query is the plpgsql function of migration 000019, planned once per session.
SELECT * FROM eligibility_contracts($1, $2, $3)
