#!/usr/bin/env bash
# Document upload and download throughput through the API (started by scripts/bench.sh with
# the server running): a 10 MiB PDF uploaded 10 times, then downloaded 10 times, one request
# at a time (curl's own transfer speed for each); the medians in MB/s (10^6 bytes per second).
#   documents.sh URL TOKEN OUT
set -euo pipefail
url=$1 token=$2 out=$3
file=$out/bench-document.pdf
python3 -c "
import sys
head = b'%PDF-1.7\n'
sys.stdout.buffer.write(head + bytes((i * 7 + 13) % 251 for i in range(10 * 1024 * 1024 - len(head))))" > "$file"
ups=() downs=() id=
for i in $(seq 1 10); do
  response=$(curl -sf -o "$out/upload.json" -w '%{speed_upload}' "$url/api/v1/documents" -H "Authorization: Bearer $token" \
    -F title="Bench document $i" -F type=other -F "file=@$file;filename=bench.pdf")
  ups+=("$response")
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$out/upload.json")
done
for i in $(seq 1 10); do
  downs+=("$(curl -sf -o /dev/null -w '%{speed_download}' "$url/api/v1/documents/$id/download" -H "Authorization: Bearer $token")")
done
python3 - "${ups[*]}" "${downs[*]}" <<'PY'
import statistics, sys
ups, downs = ([float(v) / 1e6 for v in arg.split()] for arg in sys.argv[1:3])
fmt = lambda vs: " / ".join(f"{v:.0f}" for v in vs)
print("| transfer of a 10 MiB PDF | MB/s: median (10 runs) |")
print("|---|---|")
print(f"| upload (multipart, streamed to the local store, hashed, checked) | {statistics.median(ups):.0f} ({fmt(ups)}) |")
print(f"| download (streamed from the local store) | {statistics.median(downs):.0f} ({fmt(downs)}) |")
PY
rm -f "$file" "$out/upload.json"
