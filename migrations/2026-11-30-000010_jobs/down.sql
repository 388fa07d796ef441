DROP TRIGGER jobs_queued ON jobs;
DROP FUNCTION jobs_notify();
DROP TABLE jobs;
DROP DOMAIN job_state;
