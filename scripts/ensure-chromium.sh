#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium); Playwright never downloads a
# browser. `make test` runs this first: it installs chromium and chromium-driver with apt when
# they are missing and apt may be used (root, or sudo without a password).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
packages=(chromium chromium-driver)
if [ "$(id -u)" = 0 ]; then
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo env DEBIAN_FRONTEND=noninteractive apt-get)
else
  echo "warning: /usr/bin/chromium is missing and apt needs root: install ${packages[*]}," \
    "or the browser tests (tests/test_web_*.py) will fail" >&2
  exit 0
fi
echo "installing ${packages[*]} with apt for the browser tests"
"${apt[@]}" install -y -q "${packages[@]}" || { "${apt[@]}" update -q && "${apt[@]}" install -y -q "${packages[@]}"; }
