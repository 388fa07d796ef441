-- Client counters whose cost is linear in the rows written.
--
-- Until now a row trigger upserted one counter row per changed client. Inside one transaction
-- every upsert of the same row adds a version that the next one has to walk past (none can be
-- pruned before the transaction ends), so seeding N clients in one transaction cost O(N²).
-- Now every statement appends what it changed to client_count_deltas (statement triggers over
-- transition tables: one row per status and statement, however many clients it touched), and
-- client_counts_roll_up(), which the server runs every second, folds the deltas into
-- client_live_counts. Readers add both, in one snapshot, so totals and the list version stay
-- exact whether or not a roll-up has run.

CREATE TABLE client_count_deltas (
    -- The status whose live count moves; '' for a change that only moves the list version
    -- (tags, grants).
    status  text NOT NULL,
    n       bigint NOT NULL,
    changes bigint NOT NULL
);

DROP TRIGGER clients_live_counts ON clients;
DROP FUNCTION client_live_counts_track();
DROP TRIGGER clients_truncated ON clients;
DROP TRIGGER client_tags_list_changed ON client_tags;
DROP TRIGGER tags_list_changed ON tags;
DROP TRIGGER client_grants_list_changed ON client_grants;
DROP FUNCTION client_list_changed();

-- The list version so far, kept under status ''.
INSERT INTO client_live_counts AS c (status, slot, n, changes)
SELECT '', 0, 0, coalesce(sum(n), 0) FROM client_list_changes
ON CONFLICT (status, slot) DO UPDATE SET changes = c.changes + EXCLUDED.changes;
DROP FUNCTION client_list_version();
DROP TABLE client_list_changes;

CREATE FUNCTION client_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_count_deltas (status, n, changes)
    SELECT status, count(*) FILTER (WHERE deleted_at IS NULL), count(*) FROM new_rows GROUP BY status;
    RETURN NULL;
END;
$$;

CREATE FUNCTION client_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_count_deltas (status, n, changes)
    SELECT status, -count(*) FILTER (WHERE deleted_at IS NULL), count(*) FROM old_rows GROUP BY status;
    RETURN NULL;
END;
$$;

-- A client leaves the live count of its old status and enters that of its new one; every
-- updated row moves the list version by one.
CREATE FUNCTION client_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_count_deltas (status, n, changes)
    SELECT status, sum(live), 0
    FROM (SELECT status, 1 AS live FROM new_rows WHERE deleted_at IS NULL
          UNION ALL
          SELECT status, -1 FROM old_rows WHERE deleted_at IS NULL) AS moves
    GROUP BY status
    HAVING sum(live) <> 0;
    INSERT INTO client_count_deltas (status, n, changes)
    SELECT '', 0, count(*) FROM new_rows HAVING count(*) > 0;
    RETURN NULL;
END;
$$;

-- A write to a table the list filters read (tags, their slugs, grants): the version moves.
CREATE FUNCTION client_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_count_deltas (status, n, changes) VALUES ('', 0, 1);
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_counted_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION client_counts_inserted();
CREATE TRIGGER clients_counted_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION client_counts_updated();
CREATE TRIGGER clients_counted_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION client_counts_deleted();
-- TRUNCATE has no transition table; the counts of a truncated table are not kept (it is only
-- done to test databases), but the version still moves.
CREATE TRIGGER clients_truncated AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER tags_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();
CREATE TRIGGER client_grants_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_grants
    FOR EACH STATEMENT EXECUTE FUNCTION client_list_changed();

-- Folds the pending deltas into client_live_counts in one statement, so a reader sees them on
-- one side or the other, never both or neither. Answers how many deltas it folded.
CREATE FUNCTION client_counts_roll_up() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    WITH taken AS (
        DELETE FROM client_count_deltas RETURNING status, n, changes
    ), summed AS (
        SELECT status, sum(n) AS n, sum(changes) AS changes, count(*) AS deltas FROM taken GROUP BY status
    ), applied AS (
        INSERT INTO client_live_counts AS c (status, slot, n, changes)
        SELECT status, 0, n, changes FROM summed
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n + EXCLUDED.n, changes = c.changes + EXCLUDED.changes
    )
    SELECT coalesce(sum(deltas), 0) INTO folded FROM summed;
    RETURN folded;
END;
$$;

CREATE OR REPLACE FUNCTION client_live_total(p_status text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(n), 0) FROM client_live_counts WHERE p_status IS NULL OR status = p_status)::bigint
         + (SELECT coalesce(sum(n), 0) FROM client_count_deltas WHERE p_status IS NULL OR status = p_status)::bigint;
END;
$$;

-- The version as seen by the calling statement (a STABLE function reads with its snapshot).
CREATE FUNCTION client_list_version() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(changes), 0) FROM client_live_counts)::bigint
         + (SELECT coalesce(sum(changes), 0) FROM client_count_deltas)::bigint;
END;
$$;
