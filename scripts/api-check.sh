#!/usr/bin/env bash
# make api-check: schemathesis against the OpenAPI document axis serves, on a private
# database, once as an admin and once as an analyst with grants on some clients.
#
#   API_CHECK_EXAMPLES   --max-examples per operation (default 100: both runs take about
#                        3.5 minutes on the 2-core machine)
#   API_CHECK_SEED       --seed (default 20261130)
#
# schemathesis comes from PyPI into .data/venv-schemathesis (pinned below). The server is the
# debug build `make test` makes (same targets, so nothing is rebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
schemathesis_version=4.32.5
examples=${API_CHECK_EXAMPLES:-100}
seed=${API_CHECK_SEED:-20261130}
venv=.data/venv-schemathesis
mkdir -p .data

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
fi

cargo build --workspace --all-targets
axis=$root/target/debug/axis

base_url=$(PG_FAST_UNSAFE=1 scripts/pg.sh start pg-api)
db_url="${base_url%/*}/axis_api_check"
export PGPASSWORD; PGPASSWORD=$(cat .data/pg-api.password)
psql "${base_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS axis_api_check WITH (FORCE)" -c "CREATE DATABASE axis_api_check" >/dev/null

export DATABASE_URL=$db_url
export AXIS_JWT_KEY_FILE=.data/api-check-key.pem
[ -f "$AXIS_JWT_KEY_FILE" ] || "$axis" keygen --out "$AXIS_JWT_KEY_FILE" >/dev/null
"$axis" migrate >/dev/null
password='api check password 1'
AXIS_ADMIN_EMAIL=admin@api-check.test AXIS_ADMIN_PASSWORD=$password "$axis" user ensure-admin >/dev/null
for user in analyst:analyst throwaway-admin:admin throwaway-analyst:analyst; do
  echo "$password" | "$axis" user create --email "${user%%:*}@api-check.test" --role "${user##*:}" --password-stdin >/dev/null
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
# Every fuzzed login comes from 127.0.0.1: the per-address login allowance is lifted so the
# fuzzer's own failed logins do not lock out the users the runs sign in as.
AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_WORKERS=2 AXIS_LOGIN_ADDRESS_FREE_FAILURES=10000 "$axis" serve > .data/api-check-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "$url/api/health" >/dev/null && break; sleep 0.1; done

curl -sf "$url/api/v1/openapi.json" > .data/api-check-openapi.json

token() {
  curl -sf -X POST "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@api-check.test\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
admin=$(token admin)

# An industry and a tag to refer to; two clients the analyst may see, one they may not.
post() { curl -sf -X POST "$url$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$2"; }
id_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
industry_id=$(post /api/v1/industries '{"name":"Seeded Industry"}' | id_of)
tag_id=$(post /api/v1/tags '{"name":"Seeded Tag"}' | id_of)
analyst_id=$(curl -sf "$url/api/v1/users?search=analyst@" -H "Authorization: Bearer $admin" |
  python3 -c 'import json, sys; print([u["id"] for u in json.load(sys.stdin)["data"] if u["email"] == "analyst@api-check.test"][0])')
for name in "Granted One" "Granted Two" "Not Granted"; do
  id=$(curl -sf -X POST "$url/api/v1/clients" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  if [ "$name" != "Not Granted" ]; then
    curl -sf -X POST "$url/api/v1/clients/$id/grants" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "{\"user_id\":\"$analyst_id\"}" >/dev/null
  fi
done

AXIS_API_CHECK_REFS=$(printf '{"industry_id":"%s","tag_ids":["%s"],"user_id":"%s"}' "$industry_id" "$tag_id" "$analyst_id")
export AXIS_API_CHECK_REFS SCHEMATHESIS_HOOKS=hooks PYTHONPATH=$root/scripts/api-check

status=0
for run in admin analyst; do
  echo "== schemathesis as $run (max examples $examples, seed $seed)"
  AXIS_API_TOKEN=$(token "$run") AXIS_THROWAWAY_TOKEN=$(token "throwaway-$run") \
    "$venv/bin/schemathesis" --config-file scripts/api-check/schemathesis.toml --no-color run "$url/api/v1/openapi.json" \
    --url "$url" --checks all --max-examples "$examples" --seed "$seed" --workers 2 \
    || status=1
done
exit $status
