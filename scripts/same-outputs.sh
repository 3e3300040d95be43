#!/usr/bin/env bash
# Shows that a change to the analysis, the report or the CLI left the lab's outputs as they were:
# renders finished run directories with the code of BEFORE (a commit) and with this checkout's
# build (dist/: run npm run build first),
# and compares every output byte for byte: report.html, summary.csv, the terminal table and the
# expectations' verdicts (what `run --resume` prints for a finished run) and the index page.
# Only the report's "Generated <time>" stamp and the resume's "this session <time>" are set aside.
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
[ -f "$root/dist/loadgen/src/cli.js" ] || { echo "same-outputs: this checkout is not built: run npm run build first" >&2; exit 2; }
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

# render SIDE CODE RUN_DIR...: every run directory rendered by that code, into $work/SIDE/runs
render() {
  local side=$1 code=$2
  shift 2
  # the index compares each run's commit with the checkout its code sits in: a copy of the code
  # outside any checkout renders it the same for both sides
  mkdir -p "$work/$side/code" "$work/$side/runs" "$work/$side/index/runs"
  cp -r "$code/dist" "$code/package.json" "$work/$side/code/"
  ln -s "$root/node_modules" "$work/$side/code/node_modules"
  for dir in "$@"; do
    local name base out resumed
    name=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).name)' "$dir/run.json")
    base=$(basename "$dir")
    out="$work/$side/runs/$base"
    resumed="$work/$side/resumed/$base"
    mkdir -p "$out" "$resumed" "$work/$side/index/runs/$base"
    cp "$dir/run.json" "$dir/points.jsonl" "$out/"
    cp "$dir/run.json" "$dir/points.jsonl" "$resumed/"
    (cd "$code" && node dist/loadgen/src/cli.js report "$out" >/dev/null)
    cp "$dir/run.json" "$dir/points.jsonl" "$out/report.html" "$work/$side/index/runs/$base/"
    # a finished run: --resume runs no point and prints the table and the expectations' verdicts
    # (on its own copy: it records the resume in run.json and writes the report again)
    (cd "$code" && node dist/loadgen/src/cli.js run "experiments/$name.yaml" --out "$resumed" --resume --runtime local >"$out/terminal.txt" 2>&1) || echo "(exit $?)" >>"$out/terminal.txt"
    sed -i -E -e "s#$work/$side/#WORK/#g" -e 's/this session [0-9hms.]+\)/this session <time>)/' "$out/terminal.txt"
  done
  (cd "$work/$side/code" && node dist/loadgen/src/cli.js report --index "$work/$side/index/runs" >/dev/null)
  mv "$work/$side/index/runs/index.html" "$work/$side/runs/index.html"
  sed -i -E 's/Generated [0-9T:.Z-]+\./Generated <time>./' "$work/$side"/runs/*/report.html "$work/$side/runs/index.html"
}

render before "$work/before-code" "$@"
render after "$root" "$@"

# the inputs' copies (run --resume writes run.json again, with its finish time) are not outputs
if diff -r -x run.json -x points.jsonl "$work/before/runs" "$work/after/runs"; then
  echo "same outputs: $# run $([ $# -eq 1 ] && echo directory || echo directories), rendered by $before and by this checkout's build" >&2
else
  echo "outputs differ (above: < $before, > this checkout)" >&2
  exit 1
fi
