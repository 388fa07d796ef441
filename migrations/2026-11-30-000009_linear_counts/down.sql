-- Back to the row trigger and the 16 slot counters of the client_list_changes migration.
SELECT client_counts_roll_up();
DROP FUNCTION client_list_version();
DROP FUNCTION client_counts_roll_up();
DROP TRIGGER client_grants_list_changed ON client_grants;
DROP TRIGGER tags_list_changed ON tags;
DROP TRIGGER client_tags_list_changed ON client_tags;
DROP TRIGGER clients_truncated ON clients;
DROP TRIGGER clients_counted_delete ON clients;
DROP TRIGGER clients_counted_update ON clients;
DROP TRIGGER clients_counted_insert ON clients;
DROP FUNCTION client_list_changed();
DROP FUNCTION client_counts_updated();
DROP FUNCTION client_counts_deleted();
DROP FUNCTION client_counts_inserted();
DROP TABLE client_count_deltas;

CREATE TABLE client_list_changes (
    slot    smallint PRIMARY KEY,
    n       bigint NOT NULL
);
INSERT INTO client_list_changes (slot, n) SELECT s, 0 FROM generate_series(0, 15) AS s;
UPDATE client_list_changes SET n = (SELECT coalesce(sum(changes), 0) FROM client_live_counts WHERE status = '')
WHERE slot = 0;
DELETE FROM client_live_counts WHERE status = '';

CREATE FUNCTION client_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_list_changes SET n = n + 1 WHERE slot = pg_backend_pid() % 16;
    RETURN NULL;
END;
$$;
CREATE TRIGGER clients_truncated AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_grants_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_grants
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();

CREATE FUNCTION client_list_version() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(changes), 0) FROM client_live_counts)::bigint
        + (SELECT sum(n) FROM client_list_changes)::bigint;
END;
$$;

CREATE OR REPLACE FUNCTION client_live_total(p_status text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(n), 0) FROM client_live_counts WHERE p_status IS NULL OR status = p_status);
END;
$$;

CREATE FUNCTION client_live_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER clients_live_counts AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_live_counts_track();
