#!/usr/bin/env bash
# make bench: release build, 10,000 seeded clients over 50 industries, wrk against four
# client scenarios, and pgbench running the same SQL at the same concurrency.
#   BENCH_DURATION (15s)  BENCH_CONNECTIONS (16)  BENCH_THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AXIS_JWT_KEY_FILE=$key AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_WORKERS=$threads \
  AXIS_DB_POOL_SIZE=$connections "$axis" serve > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export AXIS_TOKEN=$token AXIS_IDS_FILE=$root/$out/ids.txt

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
tps() { awk '/^tps/ {print $3}' "$1"; }
results=$out/results.md
{
  echo "| scenario | API req/s | p50 | p99 | non-2xx | pgbench tps (same SQL) | API / pgbench |"
  echo "|---|---|---|---|---|---|---|"
} > "$results"
for scenario in list search detail create; do
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "scripts/bench/$scenario.lua" \
    "http://127.0.0.1:$port" > "$out/wrk-$scenario.txt"
  pg_duration=${duration%s}
  "$pgbench" -n -M prepared -c"$connections" -j"$threads" -T"$pg_duration" -f "scripts/bench/sql/$scenario.sql" \
    "$db_url" > "$out/pgbench-$scenario.txt" 2>&1
  api=$(rps "$out/wrk-$scenario.txt"); db=$(tps "$out/pgbench-$scenario.txt")
  p50=$(awk '/ 50%/ {print $2}' "$out/wrk-$scenario.txt"); p99=$(awk '/ 99%/ {print $2}' "$out/wrk-$scenario.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$out/wrk-$scenario.txt"); errors=${errors:-0}
  ratio=$(awk -v a="$api" -v b="$db" 'BEGIN { printf "%.0f %%", 100 * a / b }')
  echo "| $scenario | $api | $p50 | $p99 | $errors | $db | $ratio |" >> "$results"
done
echo; echo "wrk -t$threads -c$connections -d$duration; pgbench -M prepared -c$connections -j$threads -T${duration%s}"; echo
cat "$results"
