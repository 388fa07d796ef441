-- A change counter for everything a filtered client list total depends on: the clients, their
-- tags, the tags themselves (the tag filter matches slugs) and the grants (analysts' scope).
-- The server remembers a total with the counter it was computed under and reuses it while the
-- counter has not moved, so a repeated search or filter does not count its matches again.
--
-- Every statement on those tables adds 1 to one of 16 slots (by backend, as the live counts
-- do), so concurrent writers rarely wait on each other. The slots only grow and PostgreSQL
-- snapshots see committed transactions in one order, so two snapshots with the same sum see
-- the same changes.

CREATE TABLE client_list_changes (
    slot    smallint PRIMARY KEY CHECK (slot BETWEEN 0 AND 15),
    n       bigint NOT NULL
);

INSERT INTO client_list_changes (slot, n) SELECT s, 0 FROM generate_series(0, 15) AS s;

CREATE FUNCTION client_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_list_changes SET n = n + 1 WHERE slot = pg_backend_pid() % 16;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_grants_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_grants
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();

-- The counter as seen by the calling statement (a STABLE function reads with its snapshot).
CREATE FUNCTION client_list_version() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT sum(n) FROM client_list_changes)::bigint;
END;
$$;
