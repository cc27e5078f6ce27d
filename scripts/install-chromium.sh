#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (Playwright drives it through ExecutablePath:
# Playwright's own browser download cannot be fetched on the project's machines). Idempotent; the test fixture runs
# it when /usr/bin/chromium is missing, so a fresh CI machine installs it once (about 2 minutes).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-chromium.sh: /usr/bin/chromium is missing and this is not root with apt-get; install Debian's 'chromium' package by hand" >&2
  exit 2
fi

# One installer at a time (test processes may start together); wait for another apt/dpkg run instead of failing.
exec 9>/tmp/paymyinvoice-install-chromium.lock
flock 9
if [ -x /usr/bin/chromium ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium
test -x /usr/bin/chromium
