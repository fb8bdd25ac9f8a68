#!/usr/bin/env bash
# The people benchmark (issue 5): generates ROWS synthetic rows (default 10,000,000) and plans them
# end to end with the release build, printing the time, the rate and the plan's peak memory.
# Targets on the project's 2-core machine: at most 30 s and 1.5 GiB for 10 million rows.
#
#   bash scripts/people-bench.sh [ROWS] [WORKDIR]
#
# Generation and planning run in separate processes, so the peak memory is the plan's own.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=${2:-${TMPDIR:-/tmp}/todoke-people-bench}
target=${CARGO_TARGET_DIR:-target}
cargo build --release -p todoke-people --example people_bench
bench="$target/release/examples/people_bench"
if [ ! -f "$work/lists/truth.json" ] || [ "$(cat "$work/rows" 2>/dev/null)" != "$rows" ]; then
    rm -rf "$work" && mkdir -p "$work"
    "$bench" generate "$work/lists" "$rows" 4
    echo "$rows" > "$work/rows"
fi
du -sh "$work/lists"
"$bench" plan "$work/lists" "$work/plan"
