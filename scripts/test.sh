#!/usr/bin/env bash
# Runs every test of the workspace on SQLite and PostgreSQL. PostgreSQL is installed and started on
# 127.0.0.1:5432 when nothing answers there (scripts/ensure-postgres.sh); each test makes and drops
# its own database, so runs never see each other's data.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TODOKE_TEST_PG_URL:-}" ]; then
    TODOKE_TEST_PG_URL=$(bash scripts/ensure-postgres.sh)
    export TODOKE_TEST_PG_URL
fi
# pg_dump checks the PostgreSQL files for plain-text personal data.
command -v pg_dump >/dev/null || { echo "pg_dump not found (Debian package postgresql-client)" >&2; exit 1; }

# What the tests use besides Rust, from Debian: IPAex fonts and pdftotext for the PDF documents,
# Chromium and its WebDriver for the browser tests.
missing=()
[ -f /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf ] || missing+=(fonts-ipaexfont-mincho)
[ -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || missing+=(fonts-ipaexfont-gothic)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    as_root=""
    [ "$(id -u)" -eq 0 ] || as_root="sudo"
    echo "installing ${missing[*]} (Debian)…" >&2
    $as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >&2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --all-features "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run (cargo prints one per test binary, the last often doc-tests).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
