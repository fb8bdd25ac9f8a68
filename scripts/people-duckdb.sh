#!/usr/bin/env bash
# todoke against DuckDB on one 1,000,000-row CSV (issue 5): DuckDB reads it and groups by party,
# birth date and name with spaces removed; todoke runs the full plan (Japanese normalization, 和暦
# dates, matching, exclusions, channels, all output files) — the library call behind
# `todoke people plan`, through the people_bench example, which builds in seconds where the whole
# CLI (web, PDF) takes minutes. Both are timed in one run.
#
#   bash scripts/people-duckdb.sh [ROWS] [WORKDIR]
#
# Needs Python 3 with DuckDB (`pip install duckdb`; installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=${2:-${TMPDIR:-/tmp}/todoke-people-duckdb}
target=${CARGO_TARGET_DIR:-target}
python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb
cargo build --release -p todoke-people --example people_bench
bench="$target/release/examples/people_bench"
if [ ! -f "$work/lists/people-1.csv" ] || [ "$(cat "$work/rows" 2>/dev/null)" != "$rows" ]; then
    rm -rf "$work" && mkdir -p "$work"
    "$bench" generate "$work/lists" "$rows" 1
    echo "$rows" > "$work/rows"
fi
csv="$work/lists/people-1.csv"
ls -l "$csv"

python3 - "$csv" <<'PY'
import sys, time, duckdb
csv = sys.argv[1]
con = duckdb.connect()
t = time.perf_counter()
n = con.execute(
    """select count(*) from (
         select "委託元", "生年月日", replace(replace("氏名", ' ', ''), '　', '') as name, count(*)
         from read_csv(?, header = true, all_varchar = true)
         group by all)""",
    [csv],
).fetchone()[0]
print(f"duckdb: {time.perf_counter() - t:.2f} s ({n} groups)")
PY

"$bench" plan "$work/lists" "$work/plan"
uptime
