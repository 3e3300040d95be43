#!/usr/bin/env bash
# The project's Docker engine set-up for Debian (DESIGN §3–4). Idempotent:
#  - installs docker.io and docker-compose when missing,
#  - starts dockerd (no bridge, no iptables: every container of the lab is on NetworkMode none
#    or joins another's namespace) when no daemon answers,
#  - waits for the socket to answer.
# Env: SPEEDLAB_DOCKERD_LOG (default /var/log/speedlab-dockerd.log),
#      SPEEDLAB_DOCKER_WAIT_S (default 60).
set -euo pipefail

log_file=${SPEEDLAB_DOCKERD_LOG:-/var/log/speedlab-dockerd.log}
wait_s=${SPEEDLAB_DOCKER_WAIT_S:-60}
sock=/var/run/docker.sock

say() { echo "engine: $*" >&2; }

# shellcheck source=docker/engine-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine-lib.sh"

install_missing() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # The local base image copies these from the host (docker/build-local-base.sh).
  command -v mke2fs >/dev/null 2>&1 || missing+=(e2fsprogs)
  command -v losetup >/dev/null 2>&1 || missing+=(mount)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_daemon() {
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    say "removing stale /var/run/docker.pid"
    as_root rm -f /var/run/docker.pid
  fi
  if pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd is running but not answering yet; waiting"
    return
  fi
  say "starting dockerd (log: $log_file)"
  as_root mkdir -p "$(dirname "$log_file")"
  # setsid + nohup: the daemon outlives this script and the shell that ran it.
  as_root setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
    >>"$log_file" 2>&1 </dev/null &
}

install_missing
if socket_answers "$sock"; then
  say "an engine answers on $sock"
else
  start_daemon
  wait_for_socket "$sock" "$log_file" "$wait_s"
  say "engine ready on $sock"
fi
