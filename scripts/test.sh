#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds, and runs every test stage —
# unit (mocha, Node), Python client (unittest), peers (the real wandb, transformers, Lightning and
# accelerate from PyPI, in a venv cached outside the clone: scripts/install-python-peers.sh), mlflow (runrewind sync
# against a real MLflow tracking server on PostgreSQL: scripts/mlflow-server.sh), integration (mocha inside the real VS Code extension
# host of code-server), multiroot (the same in a two-folder .code-workspace window), UI (Playwright driving the workbench in headless Chromium), and the packaged
# VSIX (installed into code-server, checked for its files, activated). Ends with one line
# "N passed, N failed" summed over the stages, and exits non-zero if anything failed.
#
# Env: RUNREWIND_SKIP_STAGES="ui vsix" (any of: unit python peers mlflow integration multiroot ui vsix) to leave stages
# out while iterating; RUNREWIND_TEST_GREP filters the integration tests; see scripts/run-vscode-tests.js.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS_DIR="$ROOT/test-results"
mkdir -p "$RESULTS_DIR"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

PASSED=0
FAILED=0
SKIPPED=0
FAILED_STAGES=()
START_ALL=$(date +%s)

if [ -t 1 ]; then
  say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  say() { printf '\n== %s\n' "$*"; }
fi
note() { printf '%s\n' "$*" >&2; }
skipping() { [[ " ${RUNREWIND_SKIP_STAGES:-} " == *" $1 "* ]]; }

summary() {
  local took=$(( $(date +%s) - START_ALL ))
  echo
  if [ "${#FAILED_STAGES[@]}" -gt 0 ]; then
    echo "failed stages: ${FAILED_STAGES[*]}   (logs in test-results/, ${took}s)"
  else
    echo "all stages passed in ${took}s"
  fi
  if [ "$SKIPPED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  else
    echo "$PASSED passed, $FAILED failed"
  fi
}

# A stage that could not run its tests at all counts as one failure.
stage_failed() {
  FAILED_STAGES+=("$1")
  FAILED=$((FAILED + ${2:-1}))
}

abort() {
  note "test.sh: $1"
  stage_failed "$2"
  summary
  exit 1
}

# Adds the counts from mocha's spec reporter output ("N passing", "N failing", "N pending").
count_mocha() {
  local log="$1" stage="$2" rc="$3" p f s
  p=$(grep -Eo '^[[:space:]]*[0-9]+ passing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^[[:space:]]*[0-9]+ failing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  s=$(grep -Eo '^[[:space:]]*[0-9]+ pending' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  p=${p:-0}; f=${f:-0}; s=${s:-0}
  PASSED=$((PASSED + p)); SKIPPED=$((SKIPPED + s))
  if [ "$f" -gt 0 ]; then
    stage_failed "$stage" "$f"
  elif [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
    note "test.sh: $stage exited with code $rc after $p passing tests"
    stage_failed "$stage"
  fi
}

# Runs a command, its output shown and saved to test-results/<name>.log; returns its exit code.
run_logged() {
  local name="$1"; shift
  local rc=0
  "$@" 2>&1 | tee "$RESULTS_DIR/$name.log" || rc=${PIPESTATUS[0]}
  return "$rc"
}

# --- prerequisites -----------------------------------------------------------------------------
say "system packages"
bash scripts/install-system-deps.sh || abort "installing Debian packages failed" system-deps
echo "chromium, ripgrep, libkrb5-dev, postgresql present"

say "node modules"
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --loglevel=error || abort "npm ci failed" npm-ci
else
  echo "up to date"
fi

say "build"
T0=$(date +%s)
npm run --silent build || abort "npm run build failed" build
npm run --silent compile-tests || abort "npm run compile-tests failed (TypeScript errors above)" compile-tests
echo "built in $(( $(date +%s) - T0 ))s"

# --- unit --------------------------------------------------------------------------------------
if ! skipping unit; then
  say "unit tests (mocha, Node)"
  rc=0; run_logged unit npm run --silent test:unit || rc=$?
  count_mocha "$RESULTS_DIR/unit.log" unit "$rc"
fi

# Adds the counts from unittest's closing lines ("Ran N tests", "OK"/"FAILED (failures=N, errors=N)").
count_unittest() {
  local log="$1" stage="$2" rc="$3" ran status_line pf pe ps_
  ran=$(grep -Eo '^Ran [0-9]+ test' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  ran=${ran:-0}
  status_line=$(grep -E '^(OK|FAILED)' "$log" | tail -n 1 || true)
  pf=$(grep -Eo 'failures=[0-9]+' <<<"$status_line" | grep -Eo '[0-9]+' || true)
  pe=$(grep -Eo 'errors=[0-9]+' <<<"$status_line" | grep -Eo '[0-9]+' || true)
  ps_=$(grep -Eo 'skipped=[0-9]+' <<<"$status_line" | grep -Eo '[0-9]+' || true)
  pf=${pf:-0}; pe=${pe:-0}; ps_=${ps_:-0}
  PASSED=$((PASSED + ran - pf - pe - ps_)); SKIPPED=$((SKIPPED + ps_))
  if [ $((pf + pe)) -gt 0 ]; then
    stage_failed "$stage" $((pf + pe))
  elif [ "$rc" -ne 0 ] || [ "$ran" -eq 0 ]; then
    note "test.sh: $stage tests exited with code $rc after running $ran tests"
    stage_failed "$stage"
  fi
}

# --- python ------------------------------------------------------------------------------------
if ! skipping python; then
  if [ -d python/tests ]; then
    say "Python client tests (unittest)"
    rc=0; run_logged python python3 -m unittest discover -s python/tests -t python || rc=$?
    count_unittest "$RESULTS_DIR/python.log" python "$rc"
  else
    say "Python client tests: python/tests does not exist yet, skipped"
  fi
fi

# --- peers: the real wandb and framework integrations -------------------------------------------
if ! skipping peers; then
  say "peers: the real wandb, transformers, Lightning, accelerate (venv cached in ~/.cache/runrewind)"
  T0=$(date +%s)
  PEERS_PY=""
  if PEERS_OUT=$(bash scripts/install-python-peers.sh); then
    PEERS_PY=$(tail -n 1 <<<"$PEERS_OUT")
  fi
  if [ -z "$PEERS_PY" ] || [ ! -x "$PEERS_PY" ]; then
    note "test.sh: creating the peers venv failed (scripts/install-python-peers.sh)"
    stage_failed peers
  else
    rc=0; run_logged peers "$PEERS_PY" -m unittest discover -s python/tests/peers -t python/tests/peers -v || rc=$?
    count_unittest "$RESULTS_DIR/peers.log" peers "$rc"
    echo "peers stage took $(( $(date +%s) - T0 ))s"
  fi
fi

# --- mlflow: sync to a real MLflow tracking server ----------------------------------------------
if ! skipping mlflow; then
  say "mlflow: runrewind sync against a real MLflow server on PostgreSQL (mlflow venv cached in ~/.cache/runrewind)"
  T0=$(date +%s)
  # The starter installs the pinned mlflow venv on first use, starts PostgreSQL and the server on
  # loopback, runs the tests with MLFLOW_TEST_URI set, and stops both however they end. The last of
  # the tests runs in the extension host, so code-server comes first.
  if bash scripts/install-code-server.sh >/dev/null; then
    FAILED_BEFORE=$FAILED
    rc=0; run_logged mlflow bash scripts/mlflow-server.sh with bash scripts/test-mlflow.sh "$RESULTS_DIR" || rc=$?
    touch "$RESULTS_DIR/mlflow-node.log"
    count_mocha "$RESULTS_DIR/mlflow-node.log" mlflow 0
    if [ -d python/tests/mlflowdb ]; then
      touch "$RESULTS_DIR/mlflow-python.log"
      count_unittest "$RESULTS_DIR/mlflow-python.log" mlflow-python 0
    fi
    if [ -f "$RESULTS_DIR/mlflow-integration.json" ]; then
      read -r p f s < <(node -e 'const r=require(process.argv[1]).stats; console.log(r.passes, r.failures, r.pending)' "$RESULTS_DIR/mlflow-integration.json")
      PASSED=$((PASSED + p)); SKIPPED=$((SKIPPED + s))
      if [ "$f" -gt 0 ]; then stage_failed mlflow-integration "$f"; fi
    else
      stage_failed mlflow-integration
    fi
    # A failure no test counted (the server did not start, a runner crashed) still fails the stage.
    if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$FAILED_BEFORE" ]; then stage_failed mlflow; fi
  else
    note "test.sh: installing code-server for the mlflow stage failed"
    stage_failed mlflow
  fi
  echo "mlflow stage took $(( $(date +%s) - T0 ))s"
fi

# --- VS Code: code-server ----------------------------------------------------------------------
needs_vscode=0
for s in integration multiroot ui vsix; do skipping "$s" || needs_vscode=1; done
if [ "$needs_vscode" -eq 1 ]; then
  say "code-server (cached outside the clone)"
  T0=$(date +%s)
  bash scripts/install-code-server.sh || abort "installing code-server failed" code-server
  echo "ready in $(( $(date +%s) - T0 ))s"
fi

# Runs scripts/run-vscode-tests.js as stage $1 (extra arguments after it); counts from its JSON results.
run_vscode_stage() {
  local stage="$1"; shift
  local rc=0 p f s
  rm -f "$RESULTS_DIR/$stage.json"
  node scripts/run-vscode-tests.js --json-out "$RESULTS_DIR/$stage.json" "$@" 2>&1 | tee "$RESULTS_DIR/$stage.log" || rc=${PIPESTATUS[0]}
  if [ -f "$RESULTS_DIR/$stage.json" ]; then
    read -r p f s < <(node -e 'const r=require(process.argv[1]).stats; console.log(r.passes, r.failures, r.pending)' "$RESULTS_DIR/$stage.json")
  else
    p=0; f=0; s=0
  fi
  PASSED=$((PASSED + p)); SKIPPED=$((SKIPPED + s))
  if [ "$f" -gt 0 ]; then
    stage_failed "$stage" "$f"
  elif [ "$rc" -ne 0 ]; then
    stage_failed "$stage"
  fi
}

if ! skipping integration; then
  say "integration tests (mocha in the VS Code extension host)"
  run_vscode_stage integration
fi

if ! skipping multiroot; then
  say "multi-root integration tests (two folders in one .code-workspace window)"
  run_vscode_stage multiroot --multi-root
fi

# --- UI ----------------------------------------------------------------------------------------
if ! skipping ui; then
  if compgen -G "test/ui/*.test.ts" >/dev/null || [ -n "$(find test/ui -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
    say "UI tests (Playwright driving the workbench)"
    rc=0; run_logged ui node scripts/run-ui-tests.js || rc=$?
    count_mocha "$RESULTS_DIR/ui.log" ui "$rc"
    echo "screenshots: test-results/screenshots/"
  else
    say "UI tests: no test/ui/**/*.test.ts yet, skipped"
  fi
fi

# --- VSIX --------------------------------------------------------------------------------------
if ! skipping vsix; then
  say "VSIX: package, install into code-server, check, activate"
  if npm run --silent package >"$RESULTS_DIR/package.log" 2>&1; then
    rc=0; run_logged vsix node scripts/check-vsix.js dist/run-rewind.vsix || rc=$?
    count_mocha "$RESULTS_DIR/vsix.log" vsix "$rc"
  else
    tail -n 40 "$RESULTS_DIR/package.log"
    note "test.sh: npm run package failed (log: test-results/package.log)"
    stage_failed vsix
  fi
fi

summary
[ "$FAILED" -eq 0 ]
