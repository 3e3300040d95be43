#!/usr/bin/env bash
# Runs a command (default: the README's test command, `npm test`) while CPU burners run beside it,
# as on a laptop doing other work or a shared CI runner: a test that passes only on an idle
# machine fails here. Prints pass/fail and the wall time; exits with the command's status.
#   scripts/busy-test.sh                          # npm test, one burner per core
#   scripts/busy-test.sh -n 4 -- npx vitest run --project quick
# The burners are shell busy loops at this script's niceness (0 unless you started it niced),
# started here and killed by their PIDs on every way out (end, error, Ctrl-C, SIGTERM).
set -uo pipefail

usage() {
  echo "usage: scripts/busy-test.sh [-n BURNERS] [--] [COMMAND ARGS...]   (default: one burner per core, npm test)" >&2
  exit 2
}

burners=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    -n)
      [ $# -ge 2 ] || usage
      [[ "$2" =~ ^[0-9]+$ ]] || { echo "busy-test: -n: got '$2'; expected a whole number of burners (0 or more)" >&2; exit 2; }
      burners=$2
      shift 2
      ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) echo "busy-test: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || set -- npm test

burner_pids=()
command_pid=''

stop_burners() {
  # a second signal must not cut the wait short: the burners would outlive the script unreaped
  trap '' INT TERM
  [ ${#burner_pids[@]} -gt 0 ] || return 0
  kill "${burner_pids[@]}" 2>/dev/null
  wait "${burner_pids[@]}" 2>/dev/null
  burner_pids=()
}

on_signal() {
  trap '' INT TERM
  # stop the command with SIGTERM (a background command ignores SIGINT; npm forwards SIGTERM to
  # its children), then leave: the EXIT trap stops the burners
  [ -n "$command_pid" ] && kill -TERM "$command_pid" 2>/dev/null
  [ -n "$command_pid" ] && wait "$command_pid" 2>/dev/null
  echo "busy-test: interrupted by SIG$1" >&2
  exit $((128 + $2))
}

trap stop_burners EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM

for _ in $(seq 1 "$burners"); do
  ( while :; do :; done ) &
  burner_pids+=($!)
done
echo "busy-test: ${burners} CPU burner(s) (nice $(nice), PIDs ${burner_pids[*]:-none}) beside: $*" >&2

started=$(date +%s.%N)
# in the background, so that a signal reaches the traps at once, not after the command ends
"$@" &
command_pid=$!
wait "$command_pid"
status=$?
command_pid=''
wall=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

stop_burners
if [ "$status" -eq 0 ]; then verdict=PASS; else verdict=FAIL; fi
echo "busy-test: ${verdict} (exit ${status}) in ${wall} s wall, with ${burners} CPU burner(s) on $(nproc) core(s): $*" >&2
exit "$status"
