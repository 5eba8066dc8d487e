#!/usr/bin/env bash
# The `mlflow` test stage's tests, run by scripts/test.sh inside `scripts/mlflow-server.sh with` (so
# MLFLOW_TEST_URI names a real MLflow server on PostgreSQL): the sync tests in plain Node (mocha,
# test/mlflow/), then the extension's Sync to MLflow Server command in the VS Code extension host
# (test/integration/suite/mlflowSync.test.ts, grepped). Writes RESULTS/mlflow-node.log and
# RESULTS/mlflow-integration.json; exits non-zero if either failed.
set -uo pipefail
RESULTS="$1"
rc=0
node node_modules/mocha/bin/mocha.js --no-config --timeout 300000 --reporter spec 'out/test/mlflow/**/*.test.js' 2>&1 | tee "$RESULTS/mlflow-node.log" || rc=1
rm -f "$RESULTS/mlflow-integration.json"
RUNREWIND_TEST_GREP="Sync to MLflow Server" node scripts/run-vscode-tests.js --json-out "$RESULTS/mlflow-integration.json" || rc=1
exit "$rc"
