DROP TRIGGER contracts_list_changed ON contracts;
ALTER FUNCTION list_changed() RENAME TO client_list_changed;
ALTER FUNCTION list_version() RENAME TO client_list_version;
