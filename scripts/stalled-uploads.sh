#!/usr/bin/env bash
# make stalled-uploads: many eligibility-file uploads stall half-way at once (their multipart
# bodies never reach the closing boundary, or stop arriving); scripts/stalled-uploads.py checks
# that other requests keep answering at their usual speed, that every stalled upload is
# answered 408 and its import ends failed, and that the server's sockets return to baseline.
#
#   STALL_UPLOADS   stalled uploads held open at once (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p .data

password='stalled uploads password 1'
. scripts/private-axis.sh
start_private_axis pg-stall axis_stall admin@stalled-uploads.test "$password" \
  AXIS_BODY_IDLE_TIMEOUT_SECS=3 AXIS_BODY_READ_TIMEOUT_SECS=8 AXIS_STALLED_UPLOAD_SECS=60
export STALL_URL=$url STALL_EMAIL=admin@stalled-uploads.test STALL_PASSWORD=$password
export STALL_IDLE_SECS=3 STALL_TOTAL_SECS=8
python3 scripts/stalled-uploads.py
