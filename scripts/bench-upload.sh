#!/usr/bin/env bash
# Uploading a city's list in the browser (issue 8): ROWS synthetic rows (default 100,000) of 春日部市
# as Shift_JIS CSV, posted to the people page of the demo case the way the browser's form does,
# against the release build on loopback. Prints the time from request to answered page, which
# includes reading, normalizing, sealing and storing every row. Target: ≤ 10 s for 100,000 rows.
#
#   bash scripts/bench-upload.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
port=18183
source scripts/lib/demo-server.sh
demo_server "$port"
"$todoke" people generate --rows "$rows" --parties 春日部市 --encoding sjis --rejected 0 --out lists > /dev/null
list=$(ls lists/people-*.csv | head -1)
ls -l "$list"
cookie=$(demo_sign_in kasukabe)
case_id=$(demo_case)
page="$base/cases/$case_id/people"
curl -s -H "Cookie: $cookie" "$page" > form.html
csrf=$(grep -m1 -o 'name="csrf" value="[^"]*"' form.html | sed 's/.*value="//; s/"//')
curl -sS -o answer.html -w '%{http_code} %{time_total}\n' -H "Cookie: $cookie" -H "Origin: $base" \
    -F "csrf=$csrf" -F "party=春日部市" -F "file=@$list" "$page" > timing.txt || { cat server.log >&2; exit 1; }
read -r status seconds < timing.txt
grep -o '登録 [0-9]* · 登録済み [0-9]* · 使えない行 [0-9]*' answer.html || { echo "upload failed: HTTP $status" >&2; exit 1; }
echo "uploaded $rows rows from the browser form: HTTP $status in $seconds s"
