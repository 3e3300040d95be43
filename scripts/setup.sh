#!/usr/bin/env bash
# Everything speedlab needs from Debian, installed only when missing, then the Docker engine
# (docker/engine.sh). Idempotent; run as root (or with sudo available).
#   chromium  - the browser test opens report.html in it (playwright-core drives it)
#   wrk       - the load generator's capacity benchmark
#   nginx     - the reference server's peer in bench/server-vs-nginx
#   make, gcc, libc6-dev - build examples/c-server (the server tests also run against it; libc6-dev's libc.a for its static build)
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
dpkg -s libc6-dev >/dev/null 2>&1 || missing+=(libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash docker/engine.sh
