#!/usr/bin/env bash
# Soak test of the web application on loopback (issue 9): the demo data on SQLite, 50 signed-in
# connections for MINUTES minutes, cycling through the pages and API routes a case is worked on.
# Prints the server's memory (RSS) every 15 seconds, then the requests, the errors (non-2xx/3xx and
# socket errors: both must be 0) and how much the memory grew after the first minute.
# Run by hand, not in CI:  bash scripts/soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
port=18182

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
source scripts/lib/demo-server.sh
demo_server "$port"
cookie=$(demo_sign_in foundation)
case_id=$(demo_case)

# Each connection walks the routes in turn.
cat > routes.lua <<LUA
local paths = { "/", "/cases/$case_id", "/cases/$case_id/people", "/cases/$case_id/inquiries",
  "/cases/$case_id/campaign", "/cases/$case_id/costs", "/cases/$case_id/portal", "/cases/$case_id/lookup",
  "/api/v1/cases", "/api/v1/cases/$case_id", "/api/v1/cases/$case_id/assessment",
  "/api/v1/cases/$case_id/timeline", "/api/v1/cases/$case_id/reports" }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = "$cookie" })
end
LUA

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }
echo "== ${minutes} min, 50 connections, 13 routes of case $case_id"
wrk -t2 -c50 -d"${minutes}m" --latency -s routes.lua "$base" > wrk.txt &
load=$!
samples=()
while kill -0 "$load" 2>/dev/null; do
    sleep 15
    kill -0 "$load" 2>/dev/null || break
    samples+=("$(rss)")
    echo "  $(( ${#samples[@]} * 15 )) s: RSS $(( ${samples[-1]} / 1024 )) MiB"
done
wait "$load"
sed -n '/Latency Distribution/,/Requests\/sec/p' wrk.txt
grep -E "Non-2xx|Socket errors" wrk.txt || echo "  errors: none (no non-2xx/3xx responses, no socket errors)"
if [ "${#samples[@]}" -gt 4 ]; then
    after_first_minute=${samples[3]}
    last=${samples[-1]}
    max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
    echo "  RSS after 1 min $(( after_first_minute / 1024 )) MiB, at the end $(( last / 1024 )) MiB, max $(( max / 1024 )) MiB"
fi
grep -ci "panicked" server.log | awk '{ print "  panics in the server log: " $1 }'
