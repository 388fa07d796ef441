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

password='api check password 1'
# Every fuzzed login comes from 127.0.0.1: the per-address login allowance is lifted so the
# fuzzer's own failed logins do not lock out the users the runs sign in as.
. scripts/private-axis.sh
start_private_axis pg-api axis_api_check admin@api-check.test "$password" AXIS_LOGIN_ADDRESS_FREE_FAILURES=10000
for user in analyst:analyst throwaway-admin:admin throwaway-analyst:analyst; do
  echo "$password" | "$axis" user create --email "${user%%:*}@api-check.test" --role "${user##*:}" --password-stdin >/dev/null
done

curl -sf "$url/api/v1/openapi.json" > .data/api-check-openapi.json

token() {
  curl -sf -X POST "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@api-check.test\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
admin=$(token admin)

# An industry and a tag for the lists; two clients the analyst may see, one they may not.
post() { curl -sf -X POST "$url$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$2"; }
post /api/v1/industries '{"name":"Seeded Industry"}' >/dev/null
post /api/v1/tags '{"name":"Seeded Tag"}' >/dev/null
analyst_id=$(curl -sf "$url/api/v1/users?search=analyst@" -H "Authorization: Bearer $admin" |
  python3 -c 'import json, sys; print([u["id"] for u in json.load(sys.stdin)["data"] if u["email"] == "analyst@api-check.test"][0])')
granted_client=
for name in "Granted One" "Granted Two" "Not Granted"; do
  id=$(curl -sf -X POST "$url/api/v1/clients" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  if [ "$name" != "Not Granted" ]; then
    curl -sf -X POST "$url/api/v1/clients/$id/grants" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "{\"user_id\":\"$analyst_id\"}" >/dev/null
    granted_client=${granted_client:-$id}
  fi
done

# Contracts and staff name the first granted client (they must belong to one that exists);
# beneficiaries name a staff member of it.
staff_id=$(post /api/v1/staff "{\"client_id\":\"$granted_client\",\"full_name\":\"Seeded Member\",\"employment_start\":\"2000-01-01\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
# KPI bodies name a contract of that client, a KPI type and a (global) KPI.
id_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
contract_id=$(post /api/v1/contracts "{\"client_id\":\"$granted_client\",\"title\":\"Seeded\",\"start_date\":\"2000-01-01\",\"end_date\":\"2099-12-31\",\"billing_amount\":\"1000\",\"currency\":\"USD\"}" | id_of)
kpi_type_id=$(post /api/v1/kpi-types '{"name":"Seeded type"}' | id_of)
kpi_id=$(post /api/v1/kpis "{\"name\":\"Seeded KPI\",\"kpi_type_id\":\"$kpi_type_id\",\"unit\":\"%\",\"unit_type\":\"percentage\",\"direction\":\"higher_is_better\",\"target\":\"90\"}" | id_of)
AXIS_API_CHECK_REFS=$(printf '{"user_id":"%s","client_id":"%s","staff_id":"%s","contract_id":"%s","kpi_type_id":"%s","kpi_id":"%s"}' \
  "$analyst_id" "$granted_client" "$staff_id" "$contract_id" "$kpi_type_id" "$kpi_id")
export AXIS_API_CHECK_REFS SCHEMATHESIS_HOOKS=hooks PYTHONPATH=$root/scripts/api-check

status=0
# The analyst first: the admin run may disable users, the analyst among them.
for run in analyst admin; do
  echo "== schemathesis as $run (max examples $examples, seed $seed)"
  AXIS_API_TOKEN=$(token "$run") AXIS_THROWAWAY_TOKEN=$(token "throwaway-$run") \
    "$venv/bin/schemathesis" --config-file scripts/api-check/schemathesis.toml --no-color run "$url/api/v1/openapi.json" \
    --url "$url" --checks all --max-examples "$examples" --seed "$seed" --workers 2 \
    || status=1
done
if [ $status != 0 ]; then
  # What the server and its database saw, for a failure on a machine where nothing else is kept.
  echo "== after the failures: the server's health, pools and logs"
  curl -s "$url/api/v1/health/monitoring" -H "Authorization: Bearer $(token admin 2>/dev/null || true)" || true
  echo
  df -h .data | tail -1; free -m | sed -n 2p
  echo "-- server log (last warnings and errors)"
  grep -E 'WARN|ERROR' ".data/pg-api-server.log" | tail -40 | cut -c1-400 || true
  echo "-- PostgreSQL log (FATAL, PANIC, timeouts, refused connections), by message"
  grep -E 'FATAL|PANIC|timeout|too many|No space|out of memory|terminat' ".data/pg-api.log" |
    sed -E 's/^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] //' | cut -c1-200 | sort | uniq -c | sort -rn | head -20 || true
fi
exit $status
