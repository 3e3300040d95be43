#!/usr/bin/env bash
# A second Docker engine on this machine, for the two-engine tests (README "Two machines"): its
# own socket, data root, exec root (and so its own containerd), pid file and log; no bridge and no
# iptables, like docker/engine.sh's. Idempotent.
#   bash docker/second-engine.sh start   # prints the engine's address: unix:///run/speedlab-engine-b.sock
#   bash docker/second-engine.sh stop    # stops it (its containers go with it)
#   bash docker/second-engine.sh status  # exit 0 while it answers
# Env: SPEEDLAB_ENGINE_B_NAME (default speedlab-engine-b) names the socket, directories and log;
#      SPEEDLAB_ENGINE_B_NO_BLKIO=1 starts it in a mount namespace of its own without the cgroup v1
#        blkio hierarchy: an engine that discards disk limits (with a warning), as rootless Docker
#        on cgroup v1 and some VMs do (the throttle-check tests; give it another NAME);
#      SPEEDLAB_DOCKER_WAIT_S (default 60).
set -euo pipefail

name=${SPEEDLAB_ENGINE_B_NAME:-speedlab-engine-b}
sock=/run/$name.sock
pidfile=/run/$name.pid
exec_root=/run/$name
data_root=/var/lib/$name
log_file=/var/log/$name.log
wait_s=${SPEEDLAB_DOCKER_WAIT_S:-60}

say() { echo "engine b: $*" >&2; }

# shellcheck source=docker/engine-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine-lib.sh"

running_pid() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

start() {
  if socket_answers "$sock"; then
    say "answers on $sock"
  else
    command -v dockerd >/dev/null 2>&1 || bash "$(dirname "$0")/engine.sh"
    if ! running_pid >/dev/null; then
      as_root rm -f "$pidfile"
      as_root mkdir -p "$data_root" "$exec_root" "$(dirname "$log_file")"
      say "starting dockerd (log: $log_file)"
      local args=(dockerd --host "unix://$sock" --pidfile "$pidfile" --exec-root "$exec_root"
        --data-root "$data_root" --bridge=none --iptables=false --ip6tables=false)
      if [ "${SPEEDLAB_ENGINE_B_NO_BLKIO:-}" = 1 ]; then
        [ -d /sys/fs/cgroup/blkio ] || { say "no cgroup v1 blkio hierarchy at /sys/fs/cgroup/blkio to hide"; exit 1; }
        # the unmount is private to the daemon's namespace (and its containerd's and containers')
        args=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/blkio && exec "$@"' sh "${args[@]}")
      fi
      as_root setsid nohup "${args[@]}" >>"$log_file" 2>&1 </dev/null &
    fi
    wait_for_socket "$sock" "$log_file" "$wait_s"
    say "ready on $sock"
  fi
  echo "unix://$sock"
}

stop() {
  local pid
  if pid=$(running_pid); then
    stop_daemon dockerd "$pid"
  fi
  as_root rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) socket_answers "$sock" ;;
  *) echo "usage: bash docker/second-engine.sh start|stop|status" >&2; exit 2 ;;
esac
