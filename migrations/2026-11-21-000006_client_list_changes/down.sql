DROP FUNCTION client_list_version();
DROP TRIGGER client_grants_list_changed ON client_grants;
DROP TRIGGER tags_list_changed ON tags;
DROP TRIGGER client_tags_list_changed ON client_tags;
DROP TRIGGER clients_truncated ON clients;
DROP FUNCTION client_list_changed();
DROP TABLE client_list_changes;

-- The live-count trigger of the cheaper_counts migration: counts only.
CREATE OR REPLACE FUNCTION client_live_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_slot smallint := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL
       AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL OR NEW.status <> OLD.status) THEN
        INSERT INTO client_live_counts AS c (status, slot, n) VALUES (OLD.status, my_slot, -1)
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL
       AND (TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL OR NEW.status <> OLD.status) THEN
        INSERT INTO client_live_counts AS c (status, slot, n) VALUES (NEW.status, my_slot, 1)
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER clients_live_counts ON clients;
CREATE TRIGGER clients_live_counts AFTER INSERT OR UPDATE OF status, deleted_at OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_live_counts_track();

ALTER TABLE client_live_counts DROP COLUMN changes;
