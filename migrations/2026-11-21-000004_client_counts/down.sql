DROP TRIGGER clients_live_counts ON clients;
DROP FUNCTION client_live_counts_track();
DROP FUNCTION client_live_counts_bump(text, integer);
DROP TABLE client_live_counts;
