#!/usr/bin/env bash
# Installs code-server (the real VS Code workbench + Node extension host) from the npm registry only,
# into a cache outside the clone keyed by version, so test runs after the first pay nothing.
#
#   bash scripts/install-code-server.sh        # prints the install directory on stdout
#
# Env: RUNREWIND_CACHE (default ~/.cache/runrewind), CODE_SERVER_VERSION (default 4.100.3).
# Plain `npm install code-server` cannot work offline-from-GitHub as root (see shared TESTING.md), so
# this does by hand what its install scripts would: install without scripts, rebuild the native
# modules, and link Debian's ripgrep instead of downloading one. A marker file is written last: an
# install that was interrupted is thrown away and redone. Concurrent callers wait on a lock.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${RUNREWIND_CACHE:-$HOME/.cache/runrewind}"
DEST="$CACHE/code-server-$VERSION"
MARKER="$DEST/.runrewind-install-complete"

log() { echo "install-code-server: $*" >&2; }
die() { log "error: $*"; exit 1; }

if [ -f "$MARKER" ]; then
  echo "$DEST"
  exit 0
fi

command -v node >/dev/null || die "node is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"
[ -x /usr/bin/rg ] || die "/usr/bin/rg is missing: run scripts/install-system-deps.sh (Debian package ripgrep)"
if ! [ -e /usr/include/gssapi/gssapi.h ] && ! [ -e /usr/include/gssapi.h ]; then
  die "gssapi headers are missing: run scripts/install-system-deps.sh (Debian package libkrb5-dev)"
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.code-server-$VERSION.lock"
if command -v flock >/dev/null; then
  flock 9
fi
# Someone else may have finished while we waited for the lock.
if [ -f "$MARKER" ]; then
  echo "$DEST"
  exit 0
fi

start=$(date +%s)
log "installing code-server $VERSION into $DEST (takes 1-2 minutes)"
WORK="$CACHE/.code-server-$VERSION.partial"
rm -rf "$WORK" "$DEST"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

export npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_loglevel=error npm_config_progress=false

run_quiet() {
  # Runs a command with its output in a log file; shows the log if it fails.
  local logfile="$WORK.log"
  if ! "$@" >"$logfile" 2>&1; then
    tail -n 60 "$logfile" >&2 || true
    die "failed: $* (in $(pwd))"
  fi
}

cd "$WORK"
run_quiet npm pack "code-server@$VERSION"
tar -xzf "code-server-$VERSION.tgz"
rm -f "code-server-$VERSION.tgz"
PKG="$WORK/package"

log "npm install (root, lib/vscode, lib/vscode/extensions)"
(cd "$PKG" && run_quiet npm install --omit=dev --ignore-scripts --no-package-lock)
(cd "$PKG/lib/vscode" && run_quiet npm install --omit=dev --ignore-scripts --no-package-lock)
(cd "$PKG/lib/vscode/extensions" && run_quiet npm install --omit=dev --ignore-scripts --no-package-lock)

log "rebuilding native modules"
(cd "$PKG/lib/vscode" && run_quiet npm rebuild node-pty @vscode/spdlog @parcel/watcher kerberos native-watchdog)
(cd "$PKG" && run_quiet npm rebuild argon2)

# What the skipped install scripts would have done.
mkdir -p "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin"
ln -sf /usr/bin/rg "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$PKG/lib/vscode/node_modules.asar"
if [ -f "$PKG/lib/vscode/bin/remote-cli/code-linux.sh" ]; then
  ln -sf code-linux.sh "$PKG/lib/vscode/bin/remote-cli/code-server"
fi
if [ -f "$PKG/lib/vscode/bin/helpers/browser-linux.sh" ]; then
  ln -sf browser-linux.sh "$PKG/lib/vscode/bin/helpers/browser.sh"
fi

# Smoke check: the entry point loads and knows its version.
got="$(node "$PKG/out/node/entry.js" --version 2>&1 || true)"
if ! grep -qE "^${VERSION//./\\.} " <<<"$got"; then
  die "installed code-server does not report version $VERSION: $got"
fi

mv "$PKG" "$DEST"
touch "$MARKER"
rm -rf "$WORK" "$WORK.log"
trap - EXIT
log "done in $(( $(date +%s) - start ))s"
echo "$DEST"
