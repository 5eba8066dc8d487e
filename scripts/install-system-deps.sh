#!/usr/bin/env bash
# Installs the Debian packages the VS Code tests and the demo need: headless Chromium (the browser
# that drives code-server's workbench), ripgrep (VS Code's search binary; its npm package would
# download one from the internet), libkrb5-dev (gssapi headers for code-server's kerberos module) and
# postgresql (the backend of the MLflow tracking server the `mlflow` test stage starts: scripts/mlflow-server.sh).
# Does nothing when they are already there. Needs root (or sudo).
set -euo pipefail

PACKAGES=(chromium ripgrep libkrb5-dev postgresql)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-system-deps: missing Debian packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Other processes on this machine may hold the dpkg lock: wait for it instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -qq >/dev/null
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for pkg in "${missing[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    echo "install-system-deps: $pkg did not install" >&2
    exit 1
  fi
done
