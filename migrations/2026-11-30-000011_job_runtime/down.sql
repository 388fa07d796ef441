DROP TABLE job_schedules;
DROP INDEX jobs_created;
DROP INDEX jobs_finished;
ALTER TABLE jobs
    DROP COLUMN progress_message,
    DROP COLUMN progress_total,
    DROP COLUMN progress_done,
    DROP COLUMN attempted_at;
