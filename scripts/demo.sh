#!/usr/bin/env bash
# `npm run demo`: shows Run Rewind working. Builds the extension and its VSIX, installs code-server
# (cached), prepares a demo workspace whose runs were just logged by the Python client — the W&B
# guide's own rewind and fork scripts, and a simulated training session (a run that diverges and is
# rewound, a fork, a comparison run) — plus one run that keeps training live, starts VS Code
# (code-server) on 127.0.0.1 with the VSIX installed and that folder open, and prints the address to
# open. Stays in the foreground until Ctrl-C, which also stops the live run.
#
#   npm run demo                     # workspace ./demo, http://127.0.0.1:8080/
#   DEMO_PORT=9000 npm run demo -- /path/to/folder
#
# Env: DEMO_PORT (default 8080), DEMO_DIR (default ./demo; the first argument wins),
# DEMO_CHECK=1 (instead of waiting for Ctrl-C: open the workbench in headless Chromium, save
# test-results/screenshots/demo.png, and exit — a smoke test of this script).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${DEMO_PORT:-8080}"
DEMO_DIR="${1:-${DEMO_DIR:-demo}}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

say() { if [ -t 2 ]; then printf '\033[1m%s\033[0m\n' "$*" >&2; else printf '%s\n' "$*" >&2; fi; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[[ "$PORT" =~ ^[0-9]+$ ]] || die "DEMO_PORT must be a port number, not '$PORT'"
for script in python/examples/seed_rewind.py python/examples/seed_fork.py python/examples/demo_training.py; do
  [ -f "$script" ] || die "$script is missing: the Python client's example scripts are needed to log the demo runs"
done
command -v python3 >/dev/null || die "python3 is not on PATH"

say "[1/4] prerequisites"
bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --loglevel=error
fi
CS_DIR="$(bash scripts/install-code-server.sh)"

say "[2/4] build the extension and its VSIX"
npm run --silent package >/dev/null || die "npm run package failed (run it by hand to see why)"
VSIX="$ROOT/dist/run-rewind.vsix"
[ -f "$VSIX" ] || die "$VSIX was not produced"

say "[3/4] log demo runs with the Python client"
mkdir -p "$DEMO_DIR"
DEMO_ABS="$(cd "$DEMO_DIR" && pwd)"
rm -rf "$DEMO_ABS/.runrewind"
export RUNREWIND_DIR="$DEMO_ABS/.runrewind"
PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" python3 python/examples/seed_rewind.py
PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" python3 python/examples/seed_fork.py
PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" python3 python/examples/demo_training.py

say "[4/4] start VS Code (code-server) with the VSIX installed"
PROFILE="$(mktemp -d "${TMPDIR:-/tmp}/runrewind-demo-XXXXXX")"
SERVER_PID=""
LIVE_PID=""
SERVER_LOG="$PROFILE/server.log"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$LIVE_PID" ]; then kill -TERM "$LIVE_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$PROFILE"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$PROFILE/user-data/User" "$PROFILE/extensions" "$PROFILE/xdg/config" "$PROFILE/xdg/data"
cat >"$PROFILE/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "security.workspace.trust.enabled": false,
  "git.openRepositoryInParentFolders": "never"
}
JSON
ENTRY="$CS_DIR/out/node/entry.js"
node "$ENTRY" --extensions-dir "$PROFILE/extensions" --user-data-dir "$PROFILE/user-data" \
  --install-extension "$VSIX" --force >"$PROFILE/install.log" 2>&1 \
  || { cat "$PROFILE/install.log" >&2; die "installing $VSIX into code-server failed"; }

# Own process group (setsid), so Ctrl-C and cleanup reach code-server and every child it starts.
XDG_CONFIG_HOME="$PROFILE/xdg/config" XDG_DATA_HOME="$PROFILE/xdg/data" BROWSER=none \
  setsid node "$ENTRY" --bind-addr "127.0.0.1:$PORT" --auth none \
  --user-data-dir "$PROFILE/user-data" --extensions-dir "$PROFILE/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$DEMO_ABS" >"$SERVER_LOG" 2>&1 </dev/null &
SERVER_PID=$!

# One run keeps training while the demo is open: its curves grow live in the tree and the charts.
PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}" python3 python/examples/demo_training.py --live >"$PROFILE/live.log" 2>&1 </dev/null &
LIVE_PID=$!
unset RUNREWIND_DIR

for _ in $(seq 1 600); do
  if grep -q "HTTP server listening on" "$SERVER_LOG" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$SERVER_LOG" >&2
    if grep -q EADDRINUSE "$SERVER_LOG"; then die "port $PORT is in use: set DEMO_PORT to a free port"; fi
    die "code-server exited before it started listening"
  fi
  sleep 0.1
done
grep -q "HTTP server listening on" "$SERVER_LOG" || die "code-server did not start listening within 60s (log: $SERVER_LOG)"

URL="http://127.0.0.1:$PORT/?folder=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$DEMO_ABS")"
echo
echo "Run Rewind demo is running. Open:"
echo
echo "    $URL"
echo
echo "Workspace: $DEMO_ABS (runs logged in .runrewind/ by python/examples/seed_rewind.py, seed_fork.py and"
echo "demo_training.py; \"live-run\" keeps training until you stop the demo)"
echo "Click the Run Rewind icon in the activity bar, then a run's chart button. Press Ctrl-C here to stop."

if [ "${DEMO_CHECK:-}" = "1" ]; then
  node -e '
    const h = require("./scripts/lib/vscode-harness");
    (async () => {
      const b = await h.launchBrowser();
      const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(process.argv[1]);
      await h.waitForWorkbench(page);
      const icon = page.locator(".activitybar .action-item a[aria-label^=\"Run Rewind\"]").first();
      await icon.click({ timeout: 15000 }).catch(() => console.error("demo check: no Run Rewind icon in the activity bar"));
      await page.waitForTimeout(4000);
      require("fs").mkdirSync("test-results/screenshots", { recursive: true });
      await page.screenshot({ path: "test-results/screenshots/demo.png" });
      await b.close();
      console.log("demo check: workbench rendered; screenshot test-results/screenshots/demo.png");
    })().catch((e) => { console.error("demo check failed:", e.message); process.exit(1); });
  ' "$URL"
  exit 0
fi

wait "$SERVER_PID" || true
tail -n 20 "$SERVER_LOG" >&2
die "code-server stopped"
