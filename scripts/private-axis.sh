# Sourced by the experiments (api-check, fault-db): a fresh database on a private cluster, an
# administrator, and `axis serve` on a free loopback port, from the build `make test` makes.
#
#   start_private_axis CLUSTER DATABASE EMAIL PASSWORD [VAR=value ...]
#
# CLUSTER is a scripts/pg.sh cluster name (its data under ./.data/CLUSTER); the extra
# variables are passed to `axis serve`. Afterwards: $axis (the binary), $url (the server),
# $db_url, $server (its pid; stopped when the calling script exits), PGPASSWORD exported.

start_private_axis() {
  local cluster=$1 database=$2 email=$3 password=$4
  shift 4
  cargo build --workspace --all-targets
  axis=$root/target/debug/axis

  local base_url
  if [ "${PRIVATE_AXIS_DURABLE:-0}" = 1 ]; then
    base_url=$(scripts/pg.sh start "$cluster")
  else
    base_url=$(PG_FAST_UNSAFE=1 scripts/pg.sh start "$cluster")
  fi
  db_url="${base_url%/*}/$database"
  export PGPASSWORD; PGPASSWORD=$(cat ".data/$cluster.password")
  psql "${base_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
    -c "CREATE DATABASE $database" >/dev/null 2>&1

  export DATABASE_URL=$db_url
  export AXIS_JWT_KEY_FILE=.data/$cluster-key.pem
  [ -f "$AXIS_JWT_KEY_FILE" ] || "$axis" keygen --out "$AXIS_JWT_KEY_FILE" >/dev/null
  "$axis" migrate >/dev/null
  AXIS_ADMIN_EMAIL=$email AXIS_ADMIN_PASSWORD=$password "$axis" user ensure-admin >/dev/null

  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  env AXIS_BIND="127.0.0.1:$port" AXIS_LOG_LEVEL=warn AXIS_WORKERS=2 "$@" \
    "$axis" serve > ".data/$cluster-server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "$url/api/health" >/dev/null && return 0; sleep 0.1; done
  echo "axis did not start; see .data/$cluster-server.log" >&2
  return 1
}
