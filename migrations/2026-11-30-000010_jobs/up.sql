-- The job queue: deferred work written in the same transaction as the change that asks for it,
-- claimed by workers with FOR UPDATE SKIP LOCKED under a lease, fenced by (id, attempt).

CREATE DOMAIN job_state AS text
    CHECK (VALUE IN ('available', 'scheduled', 'running', 'completed', 'retryable', 'dead', 'cancelled'));

CREATE TABLE jobs (
    id            uuid PRIMARY KEY,
    kind          varchar(100) NOT NULL,
    args          jsonb NOT NULL,
    state         job_state NOT NULL,
    attempt       integer NOT NULL,
    max_attempts  integer NOT NULL,
    unique_key    varchar(255),
    run_at        timestamptz NOT NULL,
    lease_until   timestamptz,
    claimed_by    varchar(100),
    last_error    text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    CHECK (attempt >= 0 AND max_attempts >= 1)
);

-- The same work is never pending or running twice: one job per kind and unique key among the
-- states that have not finished.
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable');
-- What a claim reads: due jobs in order, and running jobs whose lease ran out.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state IN ('available', 'scheduled', 'retryable');
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_kind_state ON jobs (kind, state);

-- Workers LISTEN on axis_jobs: a statement that queues jobs wakes them when it commits (a
-- rolled-back one never does, and PostgreSQL folds the notices of one transaction into one).
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('axis_jobs', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_queued AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();
