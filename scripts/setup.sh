#!/usr/bin/env bash
# Installs everything NBPR's main job and tests need on a fresh Debian machine:
# the system packages (as root, through apt-get) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the pipeline and its tests run for real. Each is installed only when missing.
apt_packages=(git make gcc binutils patch xz-utils docker-registry skopeo apache2-utils openssl elixir squashfs-tools chromium)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run this script as root, or install them with apt-get." >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm install, not npm ci: the lockfile cannot hold other platforms' optional binaries.
npm install --no-audit --no-fund
