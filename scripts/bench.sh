#!/usr/bin/env bash
# make bench: release build, 10,000 seeded clients over 50 industries, wrk against four
# client scenarios, pgbench running the same SQL at the same concurrency, and a bulk insert of
# 200,000 clients in one transaction with the counters on and off; then the job queue
# (scripts/bench/jobs.sh: throughput with 1 and 4 worker processes, enqueue-to-start latency);
# the eligibility-file import of 50,000 rows (scripts/bench/member-import.sh); and the Azure
# Advisor import of a 100,000-row export against COPY of the same rows (scripts/bench/advisor-import.sh).
#   BENCH_SCENARIOS ("list search detail create bulk jobs contract-list contract-detail
#   member-list member-search member-detail eligibility-id eligibility-number eligibility-batch
#   member-import documents kpi-performance advisor-import reports", or "contracts" / "members" / "eligibility" for
#   their group: any of them;
#   the contract scenarios seed 20,000 contracts, the member ones 50,000 staff and 60,000
#   beneficiaries, the eligibility ones both; all run through the API only. The batch of 500
#   runs on one connection, so its latency is a batch's own)
#   BENCH_DURATION (15s)  BENCH_CONNECTIONS (16)  BENCH_THREADS (2)  BENCH_ROUNDS (5)
#   BENCH_BULK_ROWS (200000)  BENCH_JOBS (20000)  BENCH_JOB_CONCURRENCY (16 per worker process)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
rounds=${BENCH_ROUNDS:-5}
scenarios=" ${BENCH_SCENARIOS:-list search detail create bulk jobs contract-list contract-detail members member-import} "
scenarios=${scenarios/ contracts / contract-list contract-detail }
scenarios=${scenarios/ members / member-list member-search member-detail }
scenarios=${scenarios/ eligibility / eligibility-id eligibility-number eligibility-batch }
bulk_rows=${BENCH_BULK_ROWS:-200000}
wants() { [[ $scenarios == *" $1 "* ]]; }
out=target/bench
mkdir -p "$out"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else
    echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; fi
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgbench=${pg_bin}/pgbench; [ -x "$pgbench" ] || pgbench=pgbench
psql=${pg_bin}/psql; [ -x "$psql" ] || psql=psql

# A durable cluster (fsync on), so writes cost what they cost in production.
cluster_url=$(scripts/pg.sh start pg-bench)
admin_url=${cluster_url%/*}/postgres
db_url=${cluster_url%/*}/axis_bench
"$psql" -q "$admin_url" -c "DROP DATABASE IF EXISTS axis_bench WITH (FORCE)" -c "CREATE DATABASE axis_bench"

cargo build --release --workspace --bins
axis=target/release/axis
export DATABASE_URL=$db_url
"$axis" migrate >/dev/null
"$psql" -q "$db_url" -f scripts/bench/seed.sql
password="bench password $(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$password" | "$axis" user create --email bench@example.com --role admin --password-stdin >/dev/null
key=$out/jwt.pem; rm -f "$key"; "$axis" keygen --out "$key" >/dev/null
# The same 1,000 clients for wrk (a file) and pgbench (a table).
"$psql" -q "$db_url" -c "CREATE TABLE bench_ids AS SELECT row_number() OVER () AS n, id, industry_id
  FROM (SELECT id, industry_id FROM clients ORDER BY md5(id::text) LIMIT 1000) s"
"$psql" -qtA "$db_url" -c "SELECT id FROM bench_ids ORDER BY n" > "$out/ids.txt"
eligibility() { wants eligibility-id || wants eligibility-number || wants eligibility-batch; }
if wants contract-list || wants contract-detail || eligibility; then
  "$psql" -q "$db_url" -f scripts/bench/seed-contracts.sql
  "$psql" -qtA "$db_url" -c "SELECT id FROM contracts ORDER BY md5(id::text) LIMIT 1000" > "$out/contract-ids.txt"
fi
if wants kpi-performance && ! { wants contract-list || wants contract-detail || eligibility; }; then
  "$psql" -q "$db_url" -f scripts/bench/seed-contracts.sql
fi
if wants kpi-performance; then
  "$psql" -q "$db_url" -f scripts/bench/seed-kpis.sql
  "$psql" -qtA "$db_url" -c "SELECT id FROM kpi_assignments ORDER BY id" > "$out/kpi-assignments.txt"
fi
if wants member-list || wants member-search || wants member-detail || eligibility; then
  "$psql" -q "$db_url" -f scripts/bench/seed-members.sql
  "$psql" -qtA "$db_url" -c "SELECT id FROM staff ORDER BY md5(id::text) LIMIT 1000" > "$out/member-ids.txt"
  "$psql" -qtA "$db_url" -c "SELECT client_id || ',' || employee_number FROM staff ORDER BY md5(id::text) LIMIT 1000" \
    > "$out/member-numbers.txt"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Every create run starts from this copy of the seeded database (see restore_seed).
"$psql" -q "$admin_url" -c "DROP DATABASE IF EXISTS axis_bench_seed" -c "CREATE DATABASE axis_bench_seed TEMPLATE axis_bench"

server=
trap 'kill $server 2>/dev/null || true' EXIT
start_server() {
  # No job worker in the server under HTTP load: the queue is measured on its own below.
  AXIS_JOB_CONCURRENCY=0 AXIS_BLOB_URL=$out/blobs AXIS_JWT_KEY_FILE=$key AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_WORKERS=$threads \
    AXIS_DB_POOL_SIZE=$connections "$axis" serve >> "$out/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
  AXIS_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  export AXIS_TOKEN
}
stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
# Back to the seeded 10,000 clients: without it, each create run would measure a bigger table
# than the one before (three rounds add about 300,000 rows and as many audit rows).
restore_seed() {
  stop_server
  "$psql" -q "$admin_url" -c "DROP DATABASE axis_bench WITH (FORCE)" \
    -c "CREATE DATABASE axis_bench TEMPLATE axis_bench_seed"
  start_server
}
: > "$out/serve.log"
start_server
export AXIS_IDS_FILE=$root/$out/ids.txt AXIS_CONTRACT_IDS_FILE=$root/$out/contract-ids.txt \
  AXIS_MEMBER_IDS_FILE=$root/$out/member-ids.txt AXIS_MEMBER_NUMBERS_FILE=$root/$out/member-numbers.txt \
  AXIS_KPI_ASSIGNMENTS_FILE=$root/$out/kpi-assignments.txt

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
tps() { awk '/^tps/ {print $3}' "$1"; }
run_wrk() { # scenario round
  if [ "$1" = create ]; then restore_seed; fi
  local t=$threads c=$connections
  if [ "$1" = eligibility-batch ]; then t=1 c=1; fi
  wrk -t"$t" -c"$c" -d"$duration" --latency -s "scripts/bench/$1.lua" \
    "http://127.0.0.1:$port" > "$out/wrk-$1-$2.txt"
}
run_pgbench() { # scenario round
  # Scenarios without captured SQL run through the API only.
  if [ ! -f "scripts/bench/sql/$1.sql" ]; then : > "$out/pgbench-$1-$2.txt"; return; fi
  if [ "$1" = create ]; then restore_seed; fi
  "$pgbench" -n -M prepared -c"$connections" -j"$threads" -T"${duration%s}" -f "scripts/bench/sql/$1.sql" \
    "$db_url" > "$out/pgbench-$1-$2.txt" 2>&1
}
# Each round runs a scenario once through the API and once through pgbench, back to back (the
# order swapped every other round), so each ratio compares runs a few seconds apart. The reads
# go first: every create adds a row, and read rounds after 100,000 new rows would measure a
# different table (with statistics that autovacuum has not refreshed yet).
rounds_file=$out/rounds.tsv
printf 'round\tscenario\tapi\tpgbench\tp50\tp99\tnon2xx\n' > "$rounds_file"
measure() { # scenario round
  if [ $(($2 % 2)) = 1 ]; then run_wrk "$1" "$2"; run_pgbench "$1" "$2"
  else run_pgbench "$1" "$2"; run_wrk "$1" "$2"; fi
  local wrk_out=$out/wrk-$1-$2.txt errors
  errors=$(awk '/Non-2xx/ {print $5}' "$wrk_out"); errors=${errors:-0}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$1" "$(rps "$wrk_out")" \
    "$(tps "$out/pgbench-$1-$2.txt")" "$(awk '/ 50%/ {print $2}' "$wrk_out")" \
    "$(awk '/ 99%/ {print $2}' "$wrk_out")" "$errors" >> "$rounds_file"
}
for round in $(seq 1 "$rounds"); do
  for scenario in list search detail contract-list contract-detail member-list member-search member-detail \
    eligibility-id eligibility-number eligibility-batch kpi-performance; do
    if wants "$scenario"; then measure "$scenario" "$round"; fi
  done
done
if wants create; then for round in $(seq 1 "$rounds"); do measure create "$round"; done; fi

# Bulk: one INSERT … SELECT of $bulk_rows clients in one transaction on a fresh copy of the
# seed, with the counter triggers on, then with them disabled inside the same transaction
# (their cost is all that differs); rounds alternate which goes first.
bulk_file=$out/bulk.tsv
printf 'round\tcounters\tseconds\n' > "$bulk_file"
bulk_insert() { # round on|off
  "$psql" -q "$admin_url" -c "DROP DATABASE IF EXISTS axis_bulk WITH (FORCE)" \
    -c "CREATE DATABASE axis_bulk TEMPLATE axis_bench_seed"
  local off="" on="" started ended
  if [ "$2" = off ]; then
    off="ALTER TABLE clients DISABLE TRIGGER clients_counted_insert;"
    on="ALTER TABLE clients ENABLE TRIGGER clients_counted_insert;"
  fi
  started=$(date +%s.%N)
  "$psql" -q -v ON_ERROR_STOP=1 "${cluster_url%/*}/axis_bulk" -c "BEGIN; $off
    INSERT INTO clients (id, name, email, status, created_at, updated_at)
    SELECT gen_random_uuid(), 'Bulk client ' || i, 'bulk' || i || '@example.com',
           CASE WHEN i % 4 = 0 THEN 'pending' ELSE 'active' END, now(), now()
    FROM generate_series(1, $bulk_rows) AS i;
    $on COMMIT;"
  ended=$(date +%s.%N)
  printf '%s\t%s\t%s\n' "$1" "$2" "$(python3 -c "print(round($ended - $started, 2))")" >> "$bulk_file"
}
if wants bulk; then
  stop_server
  for round in $(seq 1 3); do
    if [ $((round % 2)) = 1 ]; then bulk_insert "$round" on; bulk_insert "$round" off
    else bulk_insert "$round" off; bulk_insert "$round" on; fi
  done
  "$psql" -q "$admin_url" -c "DROP DATABASE IF EXISTS axis_bulk WITH (FORCE)"
fi

if wants documents; then
  scripts/bench/documents.sh "http://127.0.0.1:$port" "$AXIS_TOKEN" "$out" | tee "$out/documents.txt"
fi

if wants jobs; then
  stop_server
  scripts/bench/jobs.sh "${cluster_url%/*}" "$axis" "$out" | tee "$out/jobs.txt"
fi

if wants member-import; then
  stop_server
  scripts/bench/member-import.sh "${cluster_url%/*}" "$axis" "$out" | tee "$out/member-import.txt"
fi

if wants advisor-import; then
  stop_server
  scripts/bench/advisor-import.sh "${cluster_url%/*}" "$axis" "$out" | tee "$out/advisor-import.txt"
fi

# Advisor reports: rendering alone, in one process (crates/reports/examples/bench_render.rs).
if wants reports; then
  cargo run --release -q -p axis-reports --example bench_render | tee "$out/reports.txt"
fi

: > "$out/results.md"
if wants list || wants search || wants detail || wants create || wants bulk || wants contract-list \
  || wants contract-detail || wants member-list || wants member-search || wants member-detail || eligibility \
  || wants kpi-performance; then
  echo; echo "wrk -t$threads -c$connections -d$duration; pgbench -M prepared -c$connections -j$threads -T${duration%s}; $rounds rounds; scenarios:$scenarios"; echo
  python3 scripts/bench/summarise.py "$rounds_file" "$bulk_file" | tee "$out/results.md"
fi
if wants documents; then cat "$out/documents.txt" >> "$out/results.md"; fi
if wants advisor-import; then cat "$out/advisor-import.txt" >> "$out/results.md"; fi
if wants reports; then cat "$out/reports.txt" >> "$out/results.md"; fi
if wants jobs; then cat "$out/jobs.txt" >> "$out/results.md"; fi
if wants member-import; then cat "$out/member-import.txt" >> "$out/results.md"; fi
