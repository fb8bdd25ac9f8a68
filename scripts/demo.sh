#!/usr/bin/env bash
# Builds todoke and loads every example case (the seed incidents) into ./todoke.db, then lists them
# and shows the seed case: the ransomware at the health-screening foundation and its consignor cities.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p todoke-cli
todoke=target/release/todoke

"$todoke" init
if [ -z "$("$todoke" incident list 2>/dev/null)" ]; then
    for facts in examples/*.toml; do
        "$todoke" incident import "$facts" | tail -n 1 >/dev/null
    done
fi
"$todoke" incident list
echo
seed=$("$todoke" incident list | awk -F'\t' '/X線画像読影システム/ { print $1; exit }')
"$todoke" incident show "$seed"
echo
"$todoke" audit verify
