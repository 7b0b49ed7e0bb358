#!/usr/bin/env bash
# Makes sure the services the test suite talks to are there: Redis on 127.0.0.1:6379 and a Chromium
# binary for the browser tests. Installs them with apt-get when running as root on Debian/Ubuntu
# (CI), starts Redis when it is installed but not running, and otherwise says what to install.
set -euo pipefail

port="${REDIS_PORT:-6379}"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-services: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test-services: missing ${missing[*]}." >&2
    echo "  Debian/Ubuntu: sudo apt-get install ${missing[*]}   macOS: brew install redis chromium" >&2
    echo "  (or point CHROMIUM_PATH at a Chromium/Chrome binary)" >&2
    exit 1
  fi
fi

if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  echo "test-services: starting redis-server on 127.0.0.1:$port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --logfile "${TMPDIR:-/tmp}/tingting-auth-redis-$port.log"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null
fi
