CREATE FUNCTION client_live_counts_bump(p_status text, delta integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO client_live_counts (status, slot, n)
    VALUES (p_status, floor(random() * 16)::smallint, delta)
    ON CONFLICT (status, slot) DO UPDATE SET n = client_live_counts.n + EXCLUDED.n;
$$;

CREATE OR REPLACE FUNCTION client_live_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION client_live_total(p_status text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(n), 0)::bigint FROM client_live_counts WHERE p_status IS NULL OR status = p_status;
$$;
