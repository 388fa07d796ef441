-- A client list version: a number that moves with every write a filtered list total depends
-- on (the clients, their tags, the tags' slugs, the grants). The server remembers a total
-- with the version it was counted under and reuses it while the version has not moved, so a
-- repeated search or filter does not count its matches again.
--
-- Writes to clients already pass through the live-count trigger; it now also adds 1 to a
-- `changes` counter in the row it upserts, so a client insert still costs one counter write.
-- Writes to the other tables add 1 to one of 16 slots of client_list_changes (by backend, as
-- the live counts do), so concurrent writers rarely wait on each other. Every counter only
-- grows, and PostgreSQL snapshots see committed transactions in one order, so two snapshots
-- that read the same version have seen the same changes.

ALTER TABLE client_live_counts ADD COLUMN changes bigint NOT NULL DEFAULT 0;

-- Each INSERT, UPDATE or DELETE of a client adds 1 to `changes`; the live count moves when a
-- client enters or leaves the live set or changes status.
CREATE OR REPLACE FUNCTION client_live_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_slot smallint := pg_backend_pid() % 16;
    leaves boolean := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL
        AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL OR NEW.status <> OLD.status);
    enters boolean := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL
        AND (TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL OR NEW.status <> OLD.status);
    counted_status text;
    delta integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        counted_status := OLD.status;
        delta := CASE WHEN leaves THEN -1 ELSE 0 END;
    ELSE
        IF leaves THEN
            INSERT INTO client_live_counts AS c (status, slot, n) VALUES (OLD.status, my_slot, -1)
            ON CONFLICT (status, slot) DO UPDATE SET n = c.n - 1;
        END IF;
        counted_status := NEW.status;
        delta := CASE WHEN enters THEN 1 ELSE 0 END;
    END IF;
    INSERT INTO client_live_counts AS c (status, slot, n, changes) VALUES (counted_status, my_slot, delta, 1)
    ON CONFLICT (status, slot) DO UPDATE SET n = c.n + EXCLUDED.n, changes = c.changes + 1;
    RETURN NULL;
END;
$$;

DROP TRIGGER clients_live_counts ON clients;
CREATE TRIGGER clients_live_counts AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_live_counts_track();

CREATE TABLE client_list_changes (
    slot    smallint PRIMARY KEY,
    n       bigint NOT NULL
);

-- The 16 slots exist from the start, so the trigger below only ever updates.
INSERT INTO client_list_changes (slot, n) SELECT s, 0 FROM generate_series(0, 15) AS s;

CREATE FUNCTION client_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_list_changes SET n = n + 1 WHERE slot = pg_backend_pid() % 16;
    RETURN NULL;
END;
$$;

-- TRUNCATE fires no row trigger, so it is counted here.
CREATE TRIGGER clients_truncated AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_grants_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_grants
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();

-- The version as seen by the calling statement (a STABLE function reads with its snapshot).
CREATE FUNCTION client_list_version() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(changes), 0) FROM client_live_counts)::bigint
        + (SELECT sum(n) FROM client_list_changes)::bigint;
END;
$$;
