-- Exact live-client totals per status without counting rows on every list request. Each
-- change adds or subtracts 1 in one of 16 slots per status, so concurrent writers rarely touch
-- the same row; readers sum at most 80 small rows.

CREATE TABLE client_live_counts (
    status  text NOT NULL,
    slot    smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n       bigint NOT NULL,
    PRIMARY KEY (status, slot)
);

CREATE FUNCTION client_live_counts_bump(p_status text, delta integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO client_live_counts (status, slot, n)
    VALUES (p_status, floor(random() * 16)::smallint, delta)
    ON CONFLICT (status, slot) DO UPDATE SET n = client_live_counts.n + EXCLUDED.n;
$$;

CREATE FUNCTION client_live_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        IF TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL OR NEW.status <> OLD.status THEN
            PERFORM client_live_counts_bump(OLD.status, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        IF TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL OR NEW.status <> OLD.status THEN
            PERFORM client_live_counts_bump(NEW.status, 1);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_live_counts AFTER INSERT OR UPDATE OF status, deleted_at OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION client_live_counts_track();

INSERT INTO client_live_counts (status, slot, n)
SELECT status, 0, count(*) FROM clients WHERE deleted_at IS NULL GROUP BY status;

-- The live total, all statuses or one.
CREATE FUNCTION client_live_total(p_status text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(n), 0)::bigint FROM client_live_counts WHERE p_status IS NULL OR status = p_status;
$$;
