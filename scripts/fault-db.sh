#!/usr/bin/env bash
# make fault-db: PostgreSQL is killed (pg_ctl stop -m immediate) while clients are being created
# under load, then restarted. scripts/fault-db.py drives the load, the kill and the restart,
# and checks what axis answered against what the database holds afterwards.
#
#   FAULT_WORKERS        concurrent creating clients (default 8)
#   FAULT_BEFORE_SECS    load before the kill (default 8)
#   FAULT_OUTAGE_SECS    how long PostgreSQL stays down (default 6)
#   FAULT_AFTER_SECS     load after the restart (default 12)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p .data

cargo build --workspace --all-targets
axis=$root/target/debug/axis

# A durable cluster (fsync on): what was acknowledged must survive the kill.
base_url=$(scripts/pg.sh start pg-fault)
db_url="${base_url%/*}/axis_fault"
export PGPASSWORD; PGPASSWORD=$(cat .data/pg-fault.password)
psql "${base_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS axis_fault WITH (FORCE)" -c "CREATE DATABASE axis_fault" >/dev/null

export DATABASE_URL=$db_url
export AXIS_JWT_KEY_FILE=.data/fault-db-key.pem
[ -f "$AXIS_JWT_KEY_FILE" ] || "$axis" keygen --out "$AXIS_JWT_KEY_FILE" >/dev/null
"$axis" migrate >/dev/null
password='fault db password 1'
AXIS_ADMIN_EMAIL=admin@fault-db.test AXIS_ADMIN_PASSWORD=$password "$axis" user ensure-admin >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_WORKERS=2 AXIS_DB_POOL_WAIT_TIMEOUT_MS=1000 \
  AXIS_DB_CONNECT_TIMEOUT_MS=1000 "$axis" serve > .data/fault-db-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_bin=${PG_BIN:-$pg_bin}
if [ "$(id -u)" = 0 ]; then as_owner="runuser -u postgres --"; else as_owner=""; fi
cluster=$root/.data/pg-fault
export FAULT_KILL="$as_owner $pg_bin/pg_ctl -D $cluster -m immediate -w stop"
export FAULT_START="$as_owner $pg_bin/pg_ctl -D $cluster -l $root/.data/pg-fault.log -o '-p $(cat .data/pg-fault.port)' -w -t 60 start"
export FAULT_URL="http://127.0.0.1:$port" FAULT_EMAIL=admin@fault-db.test FAULT_PASSWORD=$password
export FAULT_DATABASE_URL=$db_url
python3 scripts/fault-db.py
