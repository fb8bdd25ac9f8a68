#!/usr/bin/env bash
# The main job: builds todoke and serves the web application on the embedded SQLite database
# (./todoke.db, created with its key ./todoke.key on first start) with the seed case loaded: the
# ransomware at a health-screening foundation and its consignor cities. The first start prints the
# accounts to sign in with. Stop it with Ctrl-C; start it again and the data is still there.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p todoke-cli
exec target/release/todoke serve --demo "$@"
