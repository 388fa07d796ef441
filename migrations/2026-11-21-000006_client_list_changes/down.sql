DROP TRIGGER client_grants_list_changed ON client_grants;
DROP TRIGGER tags_list_changed ON tags;
DROP TRIGGER client_tags_list_changed ON client_tags;
DROP TRIGGER clients_list_changed ON clients;
DROP FUNCTION client_list_version();
DROP FUNCTION client_list_changed();
DROP TABLE client_list_changes;
