#!/usr/bin/env bash
# Shows that a change to the analysis, the report or the CLI left the lab's outputs as they were:
# renders finished run directories with the code of BEFORE (a commit) and with this checkout's,
# and compares every output byte for byte: report.html, summary.csv, the terminal table and the
# expectations' verdicts (what `run --resume` prints for a finished run) and the index page.
# Only the report's "Generated <time>" stamp is set aside.
#   scripts/same-outputs.sh BEFORE RUN_DIR...      e.g. scripts/same-outputs.sh 23c6ba8 results/examples/*/
# Each RUN_DIR's experiment is experiments/<its name>.yaml. Nothing in RUN_DIR is changed: each
# side renders a copy. Exit 0 when every output is identical, 1 when some differ (the diff is
# printed), 2 for bad usage.
set -euo pipefail

usage() {
  echo "usage: scripts/same-outputs.sh BEFORE RUN_DIR...   (BEFORE: a commit of this repository)" >&2
  exit 2
}
[ $# -ge 2 ] || usage
before=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
git -C "$root" rev-parse --verify --quiet "$before^{commit}" >/dev/null || { echo "same-outputs: '$before' is not a commit of $root" >&2; exit 2; }
for dir in "$@"; do
  [ -f "$dir/run.json" ] && [ -f "$dir/points.jsonl" ] || { echo "same-outputs: $dir has no run.json and points.jsonl: not a run directory" >&2; exit 2; }
done

work=$(mktemp -d /tmp/speedlab-same-outputs-XXXXXX)
cleanup() {
  git -C "$root" worktree remove --force "$work/before-code" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building $before in $work/before-code" >&2
git -C "$root" worktree add --quiet --detach "$work/before-code" "$before"
ln -s "$root/node_modules" "$work/before-code/node_modules"
(cd "$work/before-code" && npx tsc -p tsconfig.json)
echo "building this checkout ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', with uncommitted changes'))" >&2
(cd "$root" && npx tsc -p tsconfig.json)

# render SIDE CODE RUN_DIR...: every run directory rendered by that code, into $work/SIDE
render() {
  local side=$1 code=$2
  shift 2
  for dir in "$@"; do
    local name out
    name=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).name)' "$dir/run.json")
    out="$work/$side/$(basename "$dir")"
    mkdir -p "$out"
    cp "$dir/run.json" "$dir/points.jsonl" "$out/"
    (cd "$code" && node dist/loadgen/src/cli.js report "$out" >/dev/null)
    # a finished run: --resume runs no point and prints the table and the expectations' verdicts
    (cd "$code" && node dist/loadgen/src/cli.js run "experiments/$name.yaml" --out "$out" --resume --runtime local >"$out/terminal.txt" 2>&1) || echo "(exit $?)" >>"$out/terminal.txt"
    sed -i -E "s#$work/$side/#RUNS/#g" "$out/terminal.txt"
  done
  (cd "$code" && node dist/loadgen/src/cli.js report --index "$work/$side" >/dev/null)
  sed -i -E 's/Generated [0-9T:.Z-]+\./Generated <time>./' "$work/$side"/*/report.html
}

render before "$work/before-code" "$@"
render after "$root" "$@"

# the inputs' copies (run --resume writes run.json again, with its finish time) are not outputs
if diff -r -x run.json -x points.jsonl "$work/before" "$work/after"; then
  echo "same outputs: $# run directories, rendered by $before and by this checkout" >&2
else
  echo "outputs differ (above: < $before, > this checkout)" >&2
  exit 1
fi
