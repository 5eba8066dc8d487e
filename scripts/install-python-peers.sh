#!/usr/bin/env bash
# Creates (once) the virtual environment with the real peers — wandb, transformers, lightning, accelerate,
# torch, tensorboard, mlflow — pinned by python/tests/requirements-peers.txt, cached outside the clone in
# ~/.cache/runrewind/venv-<hash of that file>, and prints its python's path as the last line.
#
# The first run downloads about 3.5 GB (torch from PyPI brings the CUDA libraries; 5.9 GB installed, about
# 2.5 minutes here); later runs reuse the venv.
# A venv is marked complete only after pip succeeded, so an interrupted install is redone, not trusted.
# Env: RUNREWIND_CACHE (default ~/.cache/runrewind), RUNREWIND_PEERS_PYTHON (default python3.11, then python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/cached-venv.sh
. "$ROOT/scripts/lib/cached-venv.sh"
cached_venv venv- "$ROOT/python/tests/requirements-peers.txt" install-python-peers "first run: about 3.5 GB downloaded from PyPI, 5.9 GB on disk"
