#!/usr/bin/env bash
# The Azure Advisor import on the durable bench cluster (called by scripts/bench.sh): a
# generated portal export of 100,000 distinct findings (17 columns, ~23 MB) uploaded through
# the API to a server with one job slot, timed from the upload's start until the import reads
# `completed` (the file streamed to the blob store, the job reading it, every row stored with
# the finding it is, the analysis written). Then the baseline: the same 100,000 rows, as the table holds
# them, loaded into the same table with COPY (psql's \copy, client-side like the upload).
# Each round on a fresh database; BENCH_ADVISOR_ROUNDS rounds (3).
# Usage: advisor-import.sh <cluster url without database> <axis binary> <out dir>
set -euo pipefail
cluster=$1; axis=$2; out=$3
rounds=${BENCH_ADVISOR_ROUNDS:-3}
rows=${BENCH_ADVISOR_ROWS:-100000}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
psql=${pg_bin}/psql; [ -x "$psql" ] || psql=psql
db=$cluster/axis_advisor_bench
file=$out/advisor-export.csv
copy_file=$out/advisor-copy.csv
columns="import_id, finding_id, line, category, impact, impact_rank, recommendation, subscription_id,
  subscription_name, resource_group, resource_name, resource_type, resource_id, updated_at, potential_benefits,
  annual_savings, currency, carbon_reduction, billing_increase, billing_known, change_description, retirement_date,
  retiring_feature, advisor_score_impact, recommendation_type_id, external_id, alternative, term, lookback_days,
  extra, manual"

# The same rows as the test kit's generator (crates/testkit/src/advisor.rs).
python3 - "$file" "$rows" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
kinds = [
    ("Cost", "High", "Right-size or shutdown underutilized virtual machines", "Virtual machine"),
    ("Security", "High", "Secure transfer to storage accounts should be enabled", "Storage account"),
    ("Reliability", "Medium", "Use Availability zones for better resiliency and availability", "Virtual machine"),
    ("OperationalExcellence", "Low", "Install SQL best practices assessment on your SQL VM", "SQL virtual machine"),
    ("Performance", "Medium", "Consider increasing the size of your VNet Gateway SKU", "Virtual network gateway"),
    ("Cost", "Medium", "Review disks that are not attached to a VM and evaluate if you still need the disks", "Disk"),
]
header = ("Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,"
          "Type,Updated Date,Potential benefits,Potential Annual Cost Savings,Potential Cost Savings Currency,"
          "Potential carbon reductions,Cost implications (Preview),Description of changes,Retirement date,Retiring feature")
with open(path, "w", encoding="utf-8-sig", newline="") as out:
    out.write(header + "\r\n")
    for n in range(rows):
        category, impact, text, kind = kinds[n % len(kinds)]
        savings = f'"{1 + n % 40},{n % 1000:03d}"' if category == "Cost" else ""
        currency = "USD" if savings else ""
        implication = ["No data", "Low", "No data", "Medium"][n % 4]
        out.write(f"{category},{impact},{text},5f0c2a4e-8b1d-4c3a-9e27-{n % 7:012x},Subscription {n % 7},"
                  f"rg-{n % 50},res-b-{n},{kind},2025-11-24T06:12:45Z,Benefit {n},{savings},{currency},,"
                  f"{implication},,,\r\n")
PY
size=$(stat -c %s "$file")

printf 'round\timport_seconds\tcopy_seconds\n' > "$out/advisor-import.tsv"
for round in $(seq 1 "$rounds"); do
  "$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_advisor_bench WITH (FORCE)" \
    -c "CREATE DATABASE axis_advisor_bench"
  DATABASE_URL=$db "$axis" migrate >/dev/null
  client=$("$psql" -qtA "$db" -c "INSERT INTO clients (id, name, email, status, created_at, updated_at)
    VALUES (gen_random_uuid(), 'Advisor Bench Client', 'it@example.com', 'active', now(), now()) RETURNING id")
  password="bench advisor $(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$password" | DATABASE_URL=$db "$axis" user create --email consultant@example.com --role admin --password-stdin >/dev/null
  key=$out/advisor-jwt.pem; rm -f "$key"; "$axis" keygen --out "$key" >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DATABASE_URL=$db AXIS_JWT_KEY_FILE=$key AXIS_BIND=127.0.0.1:$port AXIS_LOG_LEVEL=warn AXIS_JOB_CONCURRENCY=1 \
    AXIS_BLOB_URL=$out/advisor-blobs "$axis" serve >> "$out/advisor-serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
  token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"consultant@example.com\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  # Upload, then poll the import every 10 ms until it completes; the time is the whole span.
  seconds=$(python3 - "http://127.0.0.1:$port" "$token" "$client" "$file" <<'PY'
import json, subprocess, sys, time, urllib.request
base, token, client, path = sys.argv[1:5]
started = time.monotonic()
answer = subprocess.run(["curl", "-sf", "-H", f"Authorization: Bearer {token}", "-F", f"file=@{path};filename=Advisor_export.csv",
                         f"{base}/api/v1/clients/{client}/advisor-imports"], capture_output=True, check=True)
import_id = json.loads(answer.stdout)["id"]
while True:
    request = urllib.request.Request(f"{base}/api/v1/advisor-imports/{import_id}", headers={"Authorization": f"Bearer {token}"})
    status = json.load(urllib.request.urlopen(request))["status"]
    if status in ("completed", "failed"):
        break
    time.sleep(0.01)
ended = time.monotonic()
if status != "completed":
    sys.exit(f"advisor-import: the import {status}")
print(round(ended - started, 3))
PY
)
  kill "$server"; wait "$server" 2>/dev/null || true
  stored=$("$psql" -qtA "$db" -c "SELECT count(*) FROM advisor_recommendations")
  [ "$stored" = "$rows" ] || { echo "advisor-import: $stored rows stored" >&2; exit 1; }
  # The baseline: the stored rows out, and in again as another import's rows, with COPY.
  "$psql" -q "$db" -c "\copy (SELECT $columns FROM advisor_recommendations ORDER BY id) TO '$copy_file' WITH (FORMAT csv)"
  other=$("$psql" -qtA "$db" -c "INSERT INTO advisor_imports (id, client_id, status, file_key, file_name, file_kind,
      file_size, file_sha256, created_at, version)
    SELECT gen_random_uuid(), client_id, 'processing', file_key, file_name, file_kind, file_size, file_sha256, now(), 1
    FROM advisor_imports LIMIT 1 RETURNING id")
  python3 - "$copy_file" "$other" <<'PY'
import sys
path, other = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
open(path, "w", encoding="utf-8").write("\n".join(other + line[36:] if line else line for line in lines))
PY
  started=$(date +%s.%N)
  "$psql" -q "$db" -c "\copy advisor_recommendations ($columns) FROM '$copy_file' WITH (FORMAT csv)"
  ended=$(date +%s.%N)
  printf '%s\t%s\t%s\n' "$round" "$seconds" "$(python3 -c "print(round($ended - $started, 3))")" >> "$out/advisor-import.tsv"
done
"$psql" -q "$cluster/postgres" -c "DROP DATABASE IF EXISTS axis_advisor_bench WITH (FORCE)"
rm -rf "$out/advisor-blobs" "$copy_file"
python3 - "$out/advisor-import.tsv" "$rows" "$size" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
count, size = int(sys.argv[2]), int(sys.argv[3])
imports = [float(r["import_seconds"]) for r in rows]
copies = [float(r["copy_seconds"]) for r in rows]
share = statistics.median(c / i for c, i in zip(copies, imports))
fmt = lambda vs: " / ".join(f"{v:.2f}" for v in vs)
print(f"| Advisor export, {count:,} rows ({size / 1e6:.1f} MB) | seconds: median (rounds) | rows/s | target |")
print("|---|---|---|---|")
print(f"| upload → `completed` through the API | {statistics.median(imports):.2f} ({fmt(imports)}) | {count / statistics.median(imports):,.0f} | ≤ 3 s {'✔' if statistics.median(imports) <= 3 else '✘'} |")
print(f"| COPY of the same rows into advisor_recommendations | {statistics.median(copies):.2f} ({fmt(copies)}) | {count / statistics.median(copies):,.0f} | |")
print(f"| import rows/s as a share of COPY's (median of the rounds' ratios) | {share:.0%} | | ≥ 50 % {'✔' if share >= 0.5 else '✘'} |")
PY
