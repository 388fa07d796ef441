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

password='fault db password 1'
# A durable cluster (fsync on): what was acknowledged must survive the kill.
. scripts/private-axis.sh
PRIVATE_AXIS_DURABLE=1 start_private_axis pg-fault axis_fault admin@fault-db.test "$password" \
  AXIS_DB_POOL_WAIT_TIMEOUT_MS=1000 AXIS_DB_CONNECT_TIMEOUT_MS=1000

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_bin=${PG_BIN:-$pg_bin}
if [ "$(id -u)" = 0 ]; then as_owner="runuser -u postgres --"; else as_owner=""; fi
cluster=$root/.data/pg-fault
export FAULT_KILL="$as_owner $pg_bin/pg_ctl -D $cluster -m immediate -w stop"
export FAULT_START="$as_owner $pg_bin/pg_ctl -D $cluster -l $root/.data/pg-fault.log -o '-p $(cat .data/pg-fault.port)' -w -t 60 start"
export FAULT_URL=$url FAULT_EMAIL=admin@fault-db.test FAULT_PASSWORD=$password
export FAULT_DATABASE_URL=$db_url
python3 scripts/fault-db.py
