#!/usr/bin/env bash
# The eligibility-file import on the durable bench cluster (called by scripts/bench.sh): a
# 50,000-row file (40,000 staff, 10,000 dependents) for one client, through `axis import
# staff` (the API's import service and adapter, run in place with no job in between):
#  - a dry run against a client with no members (every row would be created);
#  - the real run (every row created, each with its audit record);
#  - the same file again (every row unchanged);
# each timed from the command's start to its exit, BENCH_IMPORT_ROUNDS times on a fresh
# database; then, once, the same through the API: the upload (multipart) answered 202, the
# server's job worker checking (dry run) or applying it, timed from the upload's start until
# the import reads `previewed` / `applied`.
# Usage: member-import.sh <cluster url without database> <axis binary> <out dir>
set -euo pipefail
cluster=$1; axis=$2; out=$3
rounds=${BENCH_IMPORT_ROUNDS:-3}
staff=${BENCH_IMPORT_STAFF:-40000}
dependents=${BENCH_IMPORT_DEPENDENTS:-10000}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
psql=${pg_bin}/psql; [ -x "$psql" ] || psql=psql
db=$cluster/axis_import_bench
file=$out/member-import.csv

python3 - "$file" "$staff" "$dependents" <<'PY'
import sys
path, staff, dependents = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w", encoding="utf-8") as out:
    out.write("employee_number,relation,full_name,date_of_birth,gender,email,phone,department,job_title,employment_start\n")
    for n in range(staff):
        out.write(f"E-{n:06d},self,Staff Member {n},{1960 + n % 40}-{n % 12 + 1:02d}-{n % 28 + 1:02d},"
                  f"{'female' if n % 2 else 'male'},staff{n}@example.com,+256 7{n % 100000000:08d},"
                  f"{['Finance', 'Operations', 'Sales', 'Engineering', 'People'][n % 5]},Officer,{2000 + n % 25}-01-15\n")
    for n in range(dependents):
        relation, born = ("child", f"{2010 + n % 15}-06-01") if n % 2 else ("spouse", f"{1970 + n % 30}-03-03")
        out.write(f"E-{n % staff:06d},{relation},Dependent {n},{born},,,,,,\n")
PY

printf 'round\trun\trows\tseconds\n' > "$out/member-import.tsv"
for round in $(seq 1 "$rounds"); do
  "$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_import_bench WITH (FORCE)" \
    -c "CREATE DATABASE axis_import_bench"
  DATABASE_URL=$db "$axis" migrate >/dev/null
  client=$("$psql" -qtA "$db" -c "INSERT INTO clients (id, name, email, status, created_at, updated_at)
    VALUES (gen_random_uuid(), 'Import Bench Employer', 'hr@example.com', 'active', now(), now()) RETURNING id")
  for run in dry-run apply again; do
    flags=(); [ "$run" = dry-run ] && flags=(--dry-run)
    started=$(date +%s.%N)
    DATABASE_URL=$db AXIS_LOG_LEVEL=warn "$axis" import staff "$file" --client "$client" "${flags[@]}" \
      > "$out/member-import-$round-$run.txt" 2>&1
    ended=$(date +%s.%N)
    printf '%s\t%s\t%s\t%s\n' "$round" "$run" $((staff + dependents)) \
      "$(python3 -c "print(round($ended - $started, 2))")" >> "$out/member-import.tsv"
  done
  members=$("$psql" -qtA "$db" -c "SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM beneficiaries)")
  [ "$members" = $((staff + dependents)) ] || { echo "member-import: $members members after the import" >&2; exit 1; }
done
# Through the API, on a fresh database: a server with one job slot.
"$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_import_bench WITH (FORCE)" \
  -c "CREATE DATABASE axis_import_bench"
DATABASE_URL=$db "$axis" migrate >/dev/null
client=$("$psql" -qtA "$db" -c "INSERT INTO clients (id, name, email, status, created_at, updated_at)
  VALUES (gen_random_uuid(), 'Import Bench Employer', 'hr@example.com', 'active', now(), now()) RETURNING id")
password="bench import $(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$password" | DATABASE_URL=$db "$axis" user create --email importer@example.com --role admin --password-stdin >/dev/null
key=$out/import-jwt.pem; rm -f "$key"; "$axis" keygen --out "$key" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL=$db AXIS_JWT_KEY_FILE=$key AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_JOB_CONCURRENCY=1 \
  "$axis" serve >> "$out/import-serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"importer@example.com\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
for run in dry-run apply; do
  query=""; [ "$run" = dry-run ] && query="dry_run=true"; want=applied; [ "$run" = dry-run ] && want=previewed
  started=$(date +%s.%N)
  location=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $token" -F "file=@$file;type=text/csv" \
    "http://127.0.0.1:$port/api/v1/clients/$client/staff-imports?$query" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
  until [ "$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port$location" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = "$want" ]; do sleep 0.05; done
  ended=$(date +%s.%N)
  printf '%s\t%s\t%s\t%s\n' api "$run" $((staff + dependents)) \
    "$(python3 -c "print(round($ended - $started, 2))")" >> "$out/member-import.tsv"
done
kill "$server"; wait "$server" 2>/dev/null || true
"$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_import_bench WITH (FORCE)"
python3 - "$out/member-import.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| run | rows | seconds: median (rounds) | target |")
print("|---|---|---|---|")
targets = {"dry-run": 5, "apply": 10, "again": None}
for run, target in targets.items():
    times = [float(r["seconds"]) for r in rows if r["run"] == run and r["round"] != "api"]
    mark = "" if target is None else f"≤ {target} s {'✔' if statistics.median(times) <= target else '✘'}"
    print(f"| {run} | {rows[0]['rows']} | {statistics.median(times):.2f} ({' / '.join(f'{t:.2f}' for t in times)}) | {mark} |")
for r in rows:
    if r["round"] == "api":
        target = targets[r["run"]]
        print(f"| {r['run']} through the API (upload, then the job) | {r['rows']} | {float(r['seconds']):.2f} | ≤ {target} s {'✔' if float(r['seconds']) <= target else '✘'} |")
PY
