-- The live counts, cheaper per write and per read. A LANGUAGE sql helper is parsed and planned
-- again on every call; plpgsql keeps its plans for the session. The slot now follows the
-- backend instead of a random draw: pooled connections are long-lived distinct backends, so
-- two concurrent writers share a slot only when their process ids collide modulo 16.

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

DROP FUNCTION client_live_counts_bump(text, integer);

-- The live total in plpgsql for the same reason: a LANGUAGE sql function with a FROM clause
-- is not inlined, so every list request parsed and planned its body again.
CREATE OR REPLACE FUNCTION client_live_total(p_status text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(n), 0)::bigint FROM client_live_counts WHERE p_status IS NULL OR status = p_status);
END;
$$;
