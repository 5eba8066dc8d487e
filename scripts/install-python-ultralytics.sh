#!/usr/bin/env bash
# Installs (once) Ultralytics and what it needs beyond the peers venv, pinned by
# python/tests/requirements-ultralytics.txt, with --no-deps into a folder cached in
# ~/.cache/runrewind/site-ultralytics-<hash>, to be put on PYTHONPATH in front of the peers venv's python.
# Kept out of the peers venv: Ultralytics' ranges (torch, torchvision, opencv-python) would re-resolve it.
# Usage: install-python-ultralytics.sh [PEERS_PYTHON] (default: the one install-python-peers.sh makes).
# Prints the folder as the last line. The first run takes about 10 s here, 450 MB on disk.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/cached-venv.sh
. "$ROOT/scripts/lib/cached-venv.sh"
base="${1:-}"
if [ -z "$base" ]; then base="$(bash "$ROOT/scripts/install-python-peers.sh" | tail -n 1)"; fi
cached_overlay site-ultralytics- "$ROOT/python/tests/requirements-ultralytics.txt" "$base" install-python-ultralytics "450 MB on disk"
