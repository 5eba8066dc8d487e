#!/usr/bin/env bash
# Starts and stops a real MLflow tracking server for the `mlflow` test stage and the sync benchmark:
# PostgreSQL (Debian's packages) as its backend store and a temporary folder as its artifact store, both
# on loopback at free ports, everything under one temporary folder that `stop` removes.
#
#   scripts/mlflow-server.sh with CMD [ARGS…]   start both, run CMD with MLFLOW_TEST_URI (the server's
#                                              http URI) and MLFLOW_TEST_PYTHON (the mlflow venv's
#                                              python) set, stop both however CMD ends; exits with CMD's code
#   scripts/mlflow-server.sh start             start both; prints the state folder on the last line
#                                              (its `env` file holds MLFLOW_TEST_URI and MLFLOW_TEST_PYTHON)
#   scripts/mlflow-server.sh stop DIR          stop what `start` started and remove DIR
#
# The mlflow venv comes from scripts/install-mlflow-server.sh (installed on first use). PostgreSQL refuses
# to run as root, so as root its commands run as the `postgres` user (runuser).
# Env: RUNREWIND_MLFLOW_BACKEND=sqlite to use a SQLite file instead of PostgreSQL (not used by the tests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'mlflow-server: %s\n' "$*" >&2; }

# A free TCP port on 127.0.0.1 (the kernel's pick; a race with another process is unlikely and fails loudly).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_bin() {
  local dir
  # The newest installed PostgreSQL major version's programs (Debian keeps them out of PATH).
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    say "PostgreSQL is not installed (scripts/install-system-deps.sh installs the Debian package postgresql)"
    return 1
  fi
  echo "$dir"
}

# Runs a PostgreSQL program as the postgres user when we are root (it refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_dir() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  if [ -f "$dir/mlflow.pid" ]; then
    local pid
    pid="$(cat "$dir/mlflow.pid")"
    # The server runs in its own process group (setsid): its uvicorn workers go with it.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if [ -f "$dir/pg/PG_VERSION" ] && [ -f "$dir/pgbin" ]; then
    as_pg "$(cat "$dir/pgbin")/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

start_servers() {
  local python dir pgport port backend pgbin
  python="$(bash "$ROOT/scripts/install-mlflow-server.sh" | tail -n 1)"
  [ -x "$python" ] || { say "the mlflow venv could not be created (scripts/install-mlflow-server.sh)"; return 1; }
  dir="$(mktemp -d "${TMPDIR:-/tmp}/runrewind-mlflow.XXXXXX")"
  # The postgres user must reach its data folder and socket under it.
  chmod 755 "$dir"
  STARTED_DIR="$dir"
  mkdir -p "$dir/artifacts"
  if [ "${RUNREWIND_MLFLOW_BACKEND:-postgresql}" = sqlite ]; then
    backend="sqlite:///$dir/mlflow.db"
  else
    pgbin="$(pg_bin)"
    echo "$pgbin" >"$dir/pgbin"
    pgport="$(free_port)"
    mkdir -p "$dir/pg" "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pg" "$dir/sock"; fi
    as_pg "$pgbin/initdb" -D "$dir/pg" -U mlflow -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; say "initdb failed"; return 1; }
    # Loopback only, a socket in our folder (not /var/run/postgresql), no fsync: a throwaway database.
    as_pg "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/sock/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $pgport -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { cat "$dir/sock/postgres.log" >&2; say "PostgreSQL did not start"; return 1; }
    "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U mlflow mlflow
    backend="postgresql+psycopg2://mlflow@127.0.0.1:$pgport/mlflow"
  fi
  port="$(free_port)"
  # setsid: its own process group, so stop takes the server's worker processes down with it.
  setsid "$(dirname "$python")/mlflow" server --backend-store-uri "$backend" --artifacts-destination "$dir/artifacts" \
    --host 127.0.0.1 --port "$port" --workers 1 >"$dir/mlflow.log" 2>&1 </dev/null &
  echo $! >"$dir/mlflow.pid"
  # Not this shell's job any more: stopping it later is `stop`'s business, without bash's "Killed" notice.
  disown
  local uri="http://127.0.0.1:$port" t0
  t0=$(date +%s)
  # The first start creates MLflow's tables (alembic migrations): give it time on a busy machine.
  until python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$uri/health" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$dir/mlflow.pid")" 2>/dev/null; then
      tail -n 40 "$dir/mlflow.log" >&2; say "mlflow server exited during start"; return 1
    fi
    if [ $(( $(date +%s) - t0 )) -gt 180 ]; then
      tail -n 40 "$dir/mlflow.log" >&2; say "mlflow server did not answer on $uri within 180 s"; return 1
    fi
    sleep 0.5
  done
  printf 'MLFLOW_TEST_URI=%s\nMLFLOW_TEST_PYTHON=%s\n' "$uri" "$python" >"$dir/env"
  say "server on $uri (backend ${backend%%:*}), answered after $(( $(date +%s) - t0 ))s; state in $dir"
}

STARTED_DIR=""
case "${1:-}" in
  start)
    trap '[ -n "$STARTED_DIR" ] && [ ! -f "$STARTED_DIR/env" ] && stop_dir "$STARTED_DIR"' EXIT
    start_servers
    echo "$STARTED_DIR"
    ;;
  stop)
    [ -n "${2:-}" ] || { say "usage: mlflow-server.sh stop DIR"; exit 2; }
    stop_dir "$2"
    ;;
  with)
    shift
    [ "$#" -gt 0 ] || { say "usage: mlflow-server.sh with CMD [ARGS…]"; exit 2; }
    trap '[ -n "$STARTED_DIR" ] && stop_dir "$STARTED_DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_servers
    set -a
    # shellcheck disable=SC1091
    . "$STARTED_DIR/env"
    set +a
    rc=0
    "$@" || rc=$?
    exit "$rc"
    ;;
  *)
    say "usage: mlflow-server.sh with CMD [ARGS…] | start | stop DIR"
    exit 2
    ;;
esac
