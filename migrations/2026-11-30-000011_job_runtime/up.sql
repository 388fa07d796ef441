-- What the worker runtime and the admin API need beside the queue itself: progress a handler
-- reports, when the current attempt began, and one row per periodic kind recording the last
-- period that fired.

ALTER TABLE jobs
    ADD COLUMN attempted_at     timestamptz,
    ADD COLUMN progress_done    bigint,
    ADD COLUMN progress_total   bigint,
    ADD COLUMN progress_message varchar(500);

-- The purge of finished jobs reads them by when they finished.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- The admin list: newest first, optionally of one state.
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);

-- A periodic kind fires once per period: the worker that moves `fired_for` forward queues the
-- period's job in the same transaction; every other worker finds it moved already.
CREATE TABLE job_schedules (
    kind       varchar(100) PRIMARY KEY,
    fired_for  timestamptz NOT NULL,
    fired_at   timestamptz NOT NULL
);
