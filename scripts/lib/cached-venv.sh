# Sourced by the install-*.sh scripts: a virtual environment made once from a pinned requirements file,
# cached outside the clone in $RUNREWIND_CACHE (default ~/.cache/runrewind) as <prefix><hash of the file
# and the Python version>, and marked complete only after pip succeeded (an interrupted install is redone,
# not trusted). One installer at a time per venv (two worktrees or stages may ask together).
# Env: RUNREWIND_CACHE, RUNREWIND_PEERS_PYTHON (default python3.11, then python3).

# cached_venv PREFIX REQUIREMENTS LABEL NOTE — prints the venv's python as the last line.
cached_venv() {
  local prefix="$1" req="$2" label="$3" note="$4"
  local cache="${RUNREWIND_CACHE:-$HOME/.cache/runrewind}"
  local py="${RUNREWIND_PEERS_PYTHON:-}"
  if [ -z "$py" ]; then
    if command -v python3.11 >/dev/null 2>&1; then py=python3.11; else py=python3; fi
  fi
  # The interpreter's version is part of the key: a venv is tied to the Python that made it.
  local pyver hash venv t0 size
  pyver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  hash="$( (cat "$req"; echo "python $pyver") | sha256sum | cut -c1-16)"
  venv="$cache/$prefix$hash"
  if [ -f "$venv/.complete" ] && [ -x "$venv/bin/python" ]; then
    echo "$venv/bin/python"
    return 0
  fi
  mkdir -p "$cache"
  exec 9>"$cache/$prefix$hash.lock"
  flock 9
  if [ -f "$venv/.complete" ] && [ -x "$venv/bin/python" ]; then
    echo "$venv/bin/python"
    return 0
  fi
  rm -rf "$venv"
  t0=$(date +%s)
  echo "$label: creating $venv with Python $pyver ($note)" >&2
  "$py" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir -r "$req" >&2
  touch "$venv/.complete"
  size="$(du -sh "$venv" | cut -f1)"
  echo "$label: installed in $(( $(date +%s) - t0 ))s, $size on disk" >&2
  echo "$venv/bin/python"
}

# cached_overlay PREFIX REQUIREMENTS BASE_PYTHON LABEL NOTE — a folder of packages installed with --no-deps
# on top of BASE_PYTHON's environment (put it on PYTHONPATH), for a framework whose own dependency ranges
# would re-resolve that environment (torch above all). Keyed by the file, the base environment's own
# pins (its python's path) and the Python version; prints the folder as the last line.
cached_overlay() {
  local prefix="$1" req="$2" base="$3" label="$4" note="$5"
  local cache="${RUNREWIND_CACHE:-$HOME/.cache/runrewind}"
  local pyver hash dir t0 size
  pyver="$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  hash="$( (cat "$req"; echo "python $pyver"; echo "base $base") | sha256sum | cut -c1-16)"
  dir="$cache/$prefix$hash"
  if [ -f "$dir/.complete" ]; then
    echo "$dir"
    return 0
  fi
  mkdir -p "$cache"
  exec 9>"$cache/$prefix$hash.lock"
  flock 9
  if [ -f "$dir/.complete" ]; then
    echo "$dir"
    return 0
  fi
  rm -rf "$dir"
  t0=$(date +%s)
  echo "$label: installing into $dir on top of $base ($note)" >&2
  "$base" -m pip install --quiet --disable-pip-version-check --no-cache-dir --no-deps --target "$dir" -r "$req" >&2
  touch "$dir/.complete"
  size="$(du -sh "$dir" | cut -f1)"
  echo "$label: installed in $(( $(date +%s) - t0 ))s, $size on disk" >&2
  echo "$dir"
}
