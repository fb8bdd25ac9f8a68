#!/usr/bin/env bash
# Load test of the web application on loopback: the demo data on SQLite, 50 concurrent signed-in
# users, for the dashboard and the case page. Prints wrk's latency distribution (p50 … p99).
# Target (issue 7): p99 ≤ 100 ms. Run by hand, not in CI:  bash scripts/bench-web.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
port=18181

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
source scripts/lib/demo-server.sh
demo_server "$port"
cookie=$(demo_sign_in foundation)
case_id=$(demo_case)

# The server's CPU time (user + system, in clock ticks) from /proc: with the machine shared by
# other work, CPU per request is the steadier figure beside the latencies.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
ticks_per_second=$(getconf CLK_TCK)

for path in / "/cases/$case_id"; do
    echo "== GET $path, 50 connections, ${seconds}s"
    before=$(cpu_ticks)
    out=$(wrk -t2 -c50 -d"${seconds}s" --latency -H "Cookie: $cookie" "$base$path")
    after=$(cpu_ticks)
    echo "$out" | sed -n '/Latency Distribution/,/Requests\/sec/p'
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n="$requests" \
        'BEGIN { printf "  server CPU per request: %.2f ms\n", t / hz * 1000 / n }'
done
