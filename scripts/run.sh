#!/usr/bin/env bash
# make run: database (private cluster unless DATABASE_URL is set), signing key, migrations,
# first administrator, then the server on 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(scripts/pg.sh start pg)
  export DATABASE_URL
  echo "using the private PostgreSQL under ./.data/pg (make stop stops it)"
fi
# The same targets and features `make test` builds, so one build serves both (no rebuild in between).
cargo build --workspace --all-targets
axis=target/debug/axis
export AXIS_JWT_KEY_FILE=${AXIS_JWT_KEY_FILE:-.data/jwt-signing-key.pem}
[ -f "$AXIS_JWT_KEY_FILE" ] || "$axis" keygen --out "$AXIS_JWT_KEY_FILE"
"$axis" migrate
"$axis" user ensure-admin
exec "$axis" serve
