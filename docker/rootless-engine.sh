#!/usr/bin/env bash
# A rootless Docker engine on this machine, run by an unprivileged user (README "Your machine"):
# Debian's rootlesskit, uidmap and slirp4netns with docker.io's dockerd-rootless.sh, no bridge and
# no iptables. Run as root (it installs those packages and makes the user when missing).
#   bash docker/rootless-engine.sh start   # prints the engine's address: unix:///run/user/UID/docker.sock
#   bash docker/rootless-engine.sh stop    # stops it (its containers go with it)
#   bash docker/rootless-engine.sh status  # exit 0 while it answers
# Env: SPEEDLAB_ROOTLESS_USER (default speedlab-rl), SPEEDLAB_DOCKER_WAIT_S (default 60).
set -euo pipefail

user=${SPEEDLAB_ROOTLESS_USER:-speedlab-rl}
wait_s=${SPEEDLAB_DOCKER_WAIT_S:-60}
script=/usr/share/docker.io/contrib/dockerd-rootless.sh

say() { echo "rootless engine: $*" >&2; }

# shellcheck source=docker/engine-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine-lib.sh"

[ "$(id -u)" -eq 0 ] || { say "run as root (it sets up the user $user)"; exit 1; }
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
uid=$(id -u "$user")
run_dir=/run/user/$uid
sock=$run_dir/docker.sock
pidfile=$run_dir/speedlab-rootless.pid
log_file=$run_dir/speedlab-rootless.log

running_pid() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

start() {
  if socket_answers "$sock"; then say "answers on $sock"; echo "unix://$sock"; return; fi
  command -v rootlesskit >/dev/null && command -v newuidmap >/dev/null && command -v slirp4netns >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q rootlesskit uidmap slirp4netns >&2
  [ -f "$script" ] || { say "no $script (Debian's docker.io has it)"; exit 1; }
  grep -q "^$user:" /etc/subuid || usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "$user"
  mkdir -p "$run_dir" && chown "$user" "$run_dir" && chmod 700 "$run_dir"
  if ! running_pid >/dev/null; then
    say "starting dockerd-rootless.sh as $user (log: $log_file)"
    su "$user" -s /bin/sh -c "cd ~ && export XDG_RUNTIME_DIR=$run_dir HOME=\$(getent passwd $user | cut -d: -f6) PATH=/usr/bin:/usr/sbin:/sbin:/bin; \
      setsid nohup sh $script --bridge=none --iptables=false --ip6tables=false >>$log_file 2>&1 </dev/null & echo \$! > $pidfile"
  fi
  wait_for_socket "$sock" "$log_file" "$wait_s"
  say "ready on $sock"
  echo "unix://$sock"
}

stop() {
  local pid
  if pid=$(running_pid); then
    stop_daemon rootlesskit "$pid"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) socket_answers "$sock" ;;
  *) echo "usage: bash docker/rootless-engine.sh start|stop|status" >&2; exit 2 ;;
esac
