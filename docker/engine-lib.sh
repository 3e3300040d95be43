# Shared by docker/engine.sh, second-engine.sh and rootless-engine.sh (sourced; each defines its own `say`).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# socket_answers SOCK: the engine on SOCK answers the API's ping (which needs no client of a
# particular version)
socket_answers() {
  [ -S "$1" ] && curl -fsS --max-time 2 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1
}

# wait_for_socket SOCK LOG WAIT_S: until the engine on SOCK answers; after WAIT_S seconds, the
# last lines of its LOG and exit 1
wait_for_socket() {
  local sock=$1 log_file=$2 wait_s=$3
  local deadline=$((SECONDS + wait_s))
  until socket_answers "$sock"; do
    if [ $SECONDS -ge $deadline ]; then
      say "no answer on $sock after ${wait_s}s; last lines of $log_file:"
      tail -n 20 "$log_file" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

# stop_daemon WHAT PID: SIGTERM to PID, then up to 30 s for it to go; exit 1 when it stays
stop_daemon() {
  local what=$1 pid=$2
  say "stopping $what $pid"
  as_root kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  say "$what $pid did not stop in 30 s"
  exit 1
}
