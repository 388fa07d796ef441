-- One list version for every list that remembers its totals (see list_totals.rs in the
-- postgres crate). The client list version becomes the list version, and writes to contracts
-- move it too, so a remembered contract list total is counted again after any contract write
-- (besides the writes to clients and grants that already moved it and that the contract
-- list's scope also reads).

ALTER FUNCTION client_list_version() RENAME TO list_version;
ALTER FUNCTION client_list_changed() RENAME TO list_changed;

CREATE TRIGGER contracts_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contracts
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
