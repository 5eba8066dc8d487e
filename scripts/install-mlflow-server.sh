#!/usr/bin/env bash
# Creates (once) the virtual environment with the full `mlflow` (its tracking server and Python client)
# and psycopg2 for a PostgreSQL backend, pinned by python/tests/requirements-mlflow-server.txt, cached
# outside the clone in ~/.cache/runrewind/venv-mlflow-<hash of that file>, and prints its python's path as
# the last line. Kept apart from the peers venv so that changing one never rebuilds the other.
# A venv is marked complete only after pip succeeded, so an interrupted install is redone, not trusted.
# Env: RUNREWIND_CACHE (default ~/.cache/runrewind), RUNREWIND_PEERS_PYTHON (default python3.11, then python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/cached-venv.sh
. "$ROOT/scripts/lib/cached-venv.sh"
cached_venv venv-mlflow- "$ROOT/python/tests/requirements-mlflow-server.txt" install-mlflow-server "first run downloads mlflow and its dependencies from PyPI"
