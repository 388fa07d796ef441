DROP TABLE idempotency_keys;
DROP TABLE client_grants;
DROP TABLE client_activities;
DROP TABLE client_contacts;
DROP TABLE client_tags;
DROP TABLE tags;
DROP TABLE client_subscriptions;
DROP TABLE clients;
DROP TABLE industries;
-- pg_trgm stays: other objects of the database may use it.
