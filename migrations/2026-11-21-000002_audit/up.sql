-- The audit trail: append-only rows, sealed into a hash chain shortly after they commit.

CREATE TABLE audit_logs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction's id. Every transaction older than a snapshot's xmin has ended,
    -- which lets the sealer chain rows in a fixed order without serialising writers.
    txid            bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    occurred_at     timestamptz NOT NULL,
    action          text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    outcome         text NOT NULL CHECK (outcome IN ('success', 'failure')),
    entity_type     text NOT NULL CHECK (length(entity_type) BETWEEN 1 AND 100),
    entity_id       text CHECK (length(entity_id) <= 100),
    actor_user_id   uuid,
    actor_label     text CHECK (length(actor_label) <= 320),
    ip              text CHECK (length(ip) <= 64),
    user_agent      text CHECK (length(user_agent) <= 512),
    request_id      text CHECK (length(request_id) <= 128),
    changes         jsonb NOT NULL DEFAULT '[]'::jsonb,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- No foreign keys: audit rows outlive the users and objects they describe.
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id, id DESC);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_user_id, id DESC);
CREATE INDEX audit_logs_occurred_idx ON audit_logs (occurred_at DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, id DESC);
CREATE INDEX audit_logs_txid_idx ON audit_logs (txid, id);

-- One link per sealed audit row, in chain order.
CREATE TABLE audit_chain (
    seq        bigint PRIMARY KEY,
    audit_id   bigint NOT NULL UNIQUE,
    txid       bigint NOT NULL,
    hash       bytea NOT NULL CHECK (length(hash) = 32),
    sealed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
