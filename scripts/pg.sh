#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests, under ./.data/<name>.
#
#   scripts/pg.sh start <name>   start (or reuse) the cluster; prints its DATABASE_URL
#   scripts/pg.sh stop <name>    stop it
#   scripts/pg.sh url <name>     print the URL of a running cluster
#
# Uses the system's PostgreSQL server binaries. As root, the server runs as the `postgres`
# OS user (initdb refuses root). Only 127.0.0.1 is listened on; a random password is kept in
# ./.data/<name>.password.
set -euo pipefail

action=${1:?usage: pg.sh start|stop|url NAME}
name=${2:?usage: pg.sh start|stop|url NAME}
root=$(cd "$(dirname "$0")/.." && pwd)
data_root="$root/.data"
cluster="$data_root/$name"
port_file="$data_root/$name.port"
password_file="$data_root/$name.password"
log_file="$data_root/$name.log"
db_name=axis

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
  if command -v pg_config >/dev/null 2>&1; then
    local dir; dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them: apt-get install postgresql (Debian/Ubuntu), or set PG_BIN, or set DATABASE_URL to an existing database."
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports below the kernel's ephemeral range: a port inside it can be the local end of any
# outgoing connection (a test's client), which no connect probe sees, and the server's bind
# then fails with "address in use".
ephemeral_low() {
  local low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  echo "${low:-32768}"
}

pick_port() {
  local port top
  top=$(ephemeral_low)
  [ "$top" -gt 21000 ] || top=50000
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % (top - 20000) ))
    if port_free "$port"; then echo "$port"; return; fi
  done
  die "no free loopback port found"
}

url() {
  local password; password=$(cat "$password_file")
  echo "postgres://axis:${password}@127.0.0.1:$(cat "$port_file")/${1:-$db_name}"
}

running() {
  [ -f "$cluster/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1
}

bin=$(find_bin)

case "$action" in
  start)
    mkdir -p "$data_root"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (apt-get install postgresql creates it)"
      # The server user must be able to reach the data directory.
      chmod o+x "$root" "$data_root" 2>/dev/null || true
    fi
    if [ ! -f "$cluster/PG_VERSION" ]; then
      rm -rf "$cluster"
      head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$password_file"
      chmod 600 "$password_file"
      mkdir -p "$cluster"
      pwfile=$(mktemp)
      cp "$password_file" "$pwfile"
      if [ "$(id -u)" = 0 ]; then chown postgres "$cluster" "$pwfile"; fi
      as_owner "$bin/initdb" -D "$cluster" -U axis --pwfile="$pwfile" --auth-local=scram-sha-256 \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --data-checksums >/dev/null \
        || { rm -f "$pwfile"; die "initdb failed"; }
      rm -f "$pwfile"
      {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = ''"
        echo "max_connections = 300"
        echo "shared_buffers = 256MB"
      } | as_owner tee -a "$cluster/postgresql.conf" >/dev/null
      if [ "${PG_FAST_UNSAFE:-0}" = 1 ]; then
        # Throwaway test clusters only: durability traded for speed.
        printf "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" | as_owner tee -a "$cluster/postgresql.conf" >/dev/null
      fi
    fi
    if ! running; then
      port=$(cat "$port_file" 2>/dev/null || true)
      if [ -z "$port" ] || [ "$port" -ge "$(ephemeral_low)" ] || ! port_free "$port"; then port=$(pick_port); fi
      touch "$log_file"
      if [ "$(id -u)" = 0 ]; then chown postgres "$log_file"; fi
      # A port taken between the check and the bind: another port, a few times.
      for attempt in 1 2 3; do
        echo "$port" > "$port_file"
        as_owner "$bin/pg_ctl" -D "$cluster" -l "$log_file" -o "-p $port" -w -t 60 start >/dev/null && break
        [ "$attempt" = 3 ] && die "PostgreSQL did not start; see $log_file"
        port=$(pick_port)
      done
    fi
    export PGPASSWORD; PGPASSWORD=$(cat "$password_file")
    psql_bin="$bin/psql"; [ -x "$psql_bin" ] || psql_bin=psql
    if ! "$psql_bin" "$(url postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
      "$psql_bin" "$(url postgres)" -qc "CREATE DATABASE $db_name" >/dev/null
    fi
    url
    ;;
  stop)
    if [ -f "$cluster/PG_VERSION" ] && running; then
      as_owner "$bin/pg_ctl" -D "$cluster" -m fast -w stop >/dev/null
      echo "stopped $name"
    fi
    ;;
  url)
    running || die "cluster $name is not running (make run / make test start it)"
    url
    ;;
  *) die "unknown action $action" ;;
esac
