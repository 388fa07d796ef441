#!/usr/bin/env bash
# make test: a private test PostgreSQL (unless AXIS_TEST_DATABASE_URL is set), the blob-store
# servers' programs (moto, azurite: the store suite starts them), then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/stores.sh install
if [ -z "${AXIS_TEST_DATABASE_URL:-}" ]; then
  AXIS_TEST_DATABASE_URL=$(PG_FAST_UNSAFE=1 scripts/pg.sh start pg-test)
  export AXIS_TEST_DATABASE_URL
fi
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
