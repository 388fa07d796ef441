#!/usr/bin/env bash
# make test: a private test PostgreSQL (unless AXIS_TEST_DATABASE_URL is set), the blob-store
# servers' programs (moto, azurite: the store suite starts them), poppler's pdftotext (the
# report tests read every PDF with it), then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/stores.sh install
if ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null
  else
    echo "make test needs pdftotext: install poppler-utils (apt-get install poppler-utils)" >&2
    exit 1
  fi
fi
if [ -z "${AXIS_TEST_DATABASE_URL:-}" ]; then
  AXIS_TEST_DATABASE_URL=$(PG_FAST_UNSAFE=1 scripts/pg.sh start pg-test)
  export AXIS_TEST_DATABASE_URL
fi
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
