#!/usr/bin/env bash
# The job queue on the durable bench cluster (called by scripts/bench.sh):
#  - throughput: a queue pre-filled with BENCH_JOBS no-op jobs, drained by 1 and then 4
#    `axis worker` processes (AXIS_JOB_CONCURRENCY each); jobs per second until all completed;
#  - latency: an idle worker, 200 jobs queued one at a time 50 ms apart (the same INSERT the
#    queue runs, whose trigger notifies workers); enqueue-to-start is the claim's time minus the
#    enqueuing transaction's, both on the database clock.
# Usage: jobs.sh <cluster url without database> <axis binary> <out dir>
set -euo pipefail
cluster=$1; axis=$2; out=$3
jobs=${BENCH_JOBS:-20000}
concurrency=${BENCH_JOB_CONCURRENCY:-16}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
psql=${pg_bin}/psql; [ -x "$psql" ] || psql=psql
db=$cluster/axis_jobs_bench
fresh_db() {
  "$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_jobs_bench WITH (FORCE)" \
    -c "CREATE DATABASE axis_jobs_bench"
  DATABASE_URL=$db "$axis" migrate >/dev/null
}
insert_noop="INSERT INTO jobs (id, kind, args, state, attempt, max_attempts, run_at, created_at, updated_at)
  SELECT gen_random_uuid(), 'system.noop', '{}', 'available', 0, 3, now(), now(), now()"
workers=()
start_workers() { # count
  for _ in $(seq 1 "$1"); do
    DATABASE_URL=$db AXIS_JOB_CONCURRENCY=$concurrency AXIS_LOG_LEVEL=warn "$axis" worker >> "$out/worker.log" 2>&1 &
    workers+=($!)
  done
}
stop_workers() { kill -TERM "${workers[@]}" 2>/dev/null || true; wait "${workers[@]}" 2>/dev/null || true; workers=(); }
trap stop_workers EXIT
: > "$out/worker.log"

printf 'workers\tjobs\tseconds\tjobs_per_second\n' > "$out/jobs-throughput.tsv"
for count in 1 4; do
  fresh_db
  "$psql" -q "$db" -c "$insert_noop FROM generate_series(1, $jobs)"
  started=$(date +%s.%N)
  start_workers "$count"
  while [ "$("$psql" -qtA "$db" -c "SELECT count(*) FROM jobs WHERE kind = 'system.noop' AND state <> 'completed'")" != 0 ]; do
    sleep 0.05
  done
  ended=$(date +%s.%N)
  stop_workers
  python3 -c "s = $ended - $started; print(f'$count\t$jobs\t{s:.2f}\t{$jobs / s:.0f}')" >> "$out/jobs-throughput.tsv"
done

fresh_db
start_workers 1
sleep 1 # the worker is listening and its start-up purges are done
for _ in $(seq 1 200); do echo "$insert_noop;"; echo "SELECT pg_sleep(0.05);"; done > "$out/jobs-latency.sql"
"$psql" -q "$db" -f "$out/jobs-latency.sql" > /dev/null
while [ "$("$psql" -qtA "$db" -c "SELECT count(*) FROM jobs WHERE kind = 'system.noop' AND state <> 'completed'")" != 0 ]; do
  sleep 0.05
done
stop_workers
"$psql" -qtA -F $'\t' "$db" -c "SELECT count(*),
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1),
    round((percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))::numeric, 1),
    round(max(ms)::numeric, 1)
  FROM (SELECT extract(epoch FROM attempted_at - created_at) * 1000 AS ms FROM jobs WHERE kind = 'system.noop') s" \
  | awk -F '\t' 'BEGIN { print "jobs\tp50_ms\tp99_ms\tmax_ms" } { print }' > "$out/jobs-latency.tsv"
"$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_jobs_bench WITH (FORCE)"
echo "job throughput (no-op jobs, AXIS_JOB_CONCURRENCY=$concurrency per worker process):"; column -t "$out/jobs-throughput.tsv"
echo "enqueue-to-start on an idle queue:"; column -t "$out/jobs-latency.tsv"
