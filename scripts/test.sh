#!/usr/bin/env bash
# `npm test`: the three vitest projects (vitest.config.ts) as two processes side by side: one runs
# `quick` then `slow` (local servers, sweeps, chromium), the other `docker` (the engine), so the
# engine's files and the local files overlap instead of queueing behind each other. Each line of
# output carries its process's tag; the exit status is the first failing process's, else 0.
# Arguments go to both (e.g. a file filter: scripts/test.sh sweep).
set -uo pipefail
cd "$(dirname "$0")/.."
vitest=node_modules/.bin/vitest

"$vitest" run --passWithNoTests --project docker "$@" > >(sed -u 's/^/[docker] /') 2>&1 &
docker_pid=$!
"$vitest" run --passWithNoTests --project quick --project slow "$@" > >(sed -u 's/^/[local]  /') 2>&1 &
local_pid=$!
# both in the background: `wait` returns on a signal (a foreground command would hold the trap
# until it ended), and SIGINT/SIGTERM to this script (npm forwards them) stop both
trap 'kill -TERM "$docker_pid" "$local_pid" 2>/dev/null' INT TERM

wait "$local_pid"
local_status=$?
wait "$docker_pid"
docker_status=$?
# a signal's wait returns early: the processes have been told to stop, wait for their end
wait "$local_pid" "$docker_pid" 2>/dev/null

echo "npm test: local projects (quick, slow) exit ${local_status}, docker project exit ${docker_status}"
[ "$local_status" -ne 0 ] && exit "$local_status"
exit "$docker_status"
