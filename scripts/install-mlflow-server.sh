#!/usr/bin/env bash
# Creates (once) the virtual environment with the full `mlflow` (its tracking server and Python client)
# and psycopg2 for a PostgreSQL backend, pinned by python/tests/requirements-mlflow-server.txt, cached
# outside the clone in ~/.cache/runrewind/venv-mlflow-<hash of that file>, and prints its python's path as
# the last line. Kept apart from the peers venv so that changing one never rebuilds the other.
# A venv is marked complete only after pip succeeded, so an interrupted install is redone, not trusted.
# Env: RUNREWIND_CACHE (default ~/.cache/runrewind), RUNREWIND_PEERS_PYTHON (default python3.11, then python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQ="$ROOT/python/tests/requirements-mlflow-server.txt"
CACHE="${RUNREWIND_CACHE:-$HOME/.cache/runrewind}"
PY="${RUNREWIND_PEERS_PYTHON:-}"
if [ -z "$PY" ]; then
  if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
fi
# The interpreter's version is part of the key: a venv is tied to the Python that made it.
PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
HASH="$( (cat "$REQ"; echo "python $PYVER") | sha256sum | cut -c1-16)"
VENV="$CACHE/venv-mlflow-$HASH"

if [ -f "$VENV/.complete" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi

mkdir -p "$CACHE"
# One installer at a time for a given venv (two worktrees may run the stage together).
exec 9>"$CACHE/venv-mlflow-$HASH.lock"
flock 9
if [ -f "$VENV/.complete" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV/bin/python"
  exit 0
fi

rm -rf "$VENV"
T0=$(date +%s)
echo "install-mlflow-server: creating $VENV with Python $PYVER (first run downloads mlflow and its dependencies from PyPI)" >&2
"$PY" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir -r "$REQ" >&2
touch "$VENV/.complete"
SIZE="$(du -sh "$VENV" | cut -f1)"
echo "install-mlflow-server: installed in $(( $(date +%s) - T0 ))s, $SIZE on disk" >&2
echo "$VENV/bin/python"
