#!/usr/bin/env bash
# The `mlflow` test stage's tests, run by scripts/test.sh inside `scripts/mlflow-server.sh with` (so
# MLFLOW_TEST_URI names a real MLflow server on PostgreSQL): the sync tests in plain Node (mocha,
# test/mlflow/), then the extension's Sync to MLflow Server command in the VS Code extension host
# and the server's runs in the Runs view (test/integration/suite/mlflowSync.test.ts, mlflowPull.test.ts,
# grepped "MLflow Server"); and, with the same venv's full mlflow, the import
# of MLflow's SQLite store (python/tests/mlflowdb, unittest). Writes RESULTS/mlflow-node.log,
# RESULTS/mlflow-integration.json and RESULTS/mlflow-python.log; exits non-zero if any failed.
set -uo pipefail
RESULTS="$1"
rc=0
node node_modules/mocha/bin/mocha.js --no-config --timeout 300000 --reporter spec 'out/test/mlflow/**/*.test.js' 2>&1 | tee "$RESULTS/mlflow-node.log" || rc=1
rm -f "$RESULTS/mlflow-integration.json"
RUNREWIND_TEST_GREP="MLflow Server" node scripts/run-vscode-tests.js --json-out "$RESULTS/mlflow-integration.json" || rc=1
if [ -d python/tests/mlflowdb ]; then
  "$MLFLOW_TEST_PYTHON" -m unittest discover -s python/tests/mlflowdb -t python/tests/mlflowdb -v 2>&1 | tee "$RESULTS/mlflow-python.log" || rc=1
fi
exit "$rc"
