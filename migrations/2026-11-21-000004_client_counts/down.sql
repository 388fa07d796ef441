DROP TRIGGER clients_live_counts ON clients;
DROP FUNCTION client_live_counts_track();
DROP FUNCTION client_live_counts_bump(text, integer);
DROP FUNCTION client_live_total(text);
DROP TABLE client_live_counts;
