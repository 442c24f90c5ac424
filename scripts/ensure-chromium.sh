#!/usr/bin/env bash
# Make sure a headless Chromium is installed, for the HTML trace test (it
# renders `junto trace --html`, takes a screenshot and reads the DOM).
# On Debian as root: install Debian's chromium package. Quick when present.
set -euo pipefail

for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        echo "==> $name is installed: $("$name" --version 2>/dev/null || true)"
        exit 0
    fi
done
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
    echo "error: Chromium is not installed; install it (Debian: apt-get install chromium) or set JUNTO_CHROMIUM" >&2
    exit 1
fi
echo "==> installing Debian's chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "==> $(chromium --version)"
