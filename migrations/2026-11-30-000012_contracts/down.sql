DROP TABLE contract_number_counters;
DROP TABLE contract_status_changes;
DROP TABLE contracts;
DROP DOMAIN billing_model;
DROP DOMAIN billing_frequency;
DROP DOMAIN contract_payment_status;
DROP DOMAIN contract_status;
DROP EXTENSION IF EXISTS btree_gist;
