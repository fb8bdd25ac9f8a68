#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input (issue 9): runs every cargo-fuzz target of fuzz/ for
# SECONDS each (default 60), then prints what each did. Exits non-zero when a target crashed (a
# panic, a failed check, a timeout or running out of memory), naming the reproducer; turn each one
# into a regression test in the crate that had the bug (see fuzz/README.md).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Stable toolchain, no sanitizer (`-s none`), debug assertions on. Builds go to fuzz/target, the
# growing corpus to fuzz/corpus/TARGET (both ignored by git); fuzz/seeds/TARGET is read as well.
# Not run in CI: it is slow by design.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true

if ! cargo fuzz --version 2>/dev/null | grep -q '^cargo-fuzz 0\.13'; then
    cargo install cargo-fuzz --locked --version '^0.13'
fi

# The fuzz project is its own workspace: never the main workspace's target folder.
unset CARGO_TARGET_DIR
fuzz=(cargo fuzz)
flags=(-s none --debug-assertions --fuzz-dir fuzz)
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("${fuzz[@]}" list --fuzz-dir fuzz); fi
"${fuzz[@]}" build "${flags[@]}"

crashed=()
summary=()
for target in "${targets[@]}"; do
    corpus=fuzz/corpus/$target
    artifacts=fuzz/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    before=$(ls -1 "$artifacts" | sort)
    log=$(mktemp)
    echo "== $target: ${seconds}s"
    status=0
    "${fuzz[@]}" run "${flags[@]}" "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    summary+=("$target: ${runs:-?} runs in ${seconds}s, exit $status")
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log"
        new=$(comm -13 <(echo "$before") <(ls -1 "$artifacts" | sort) || true)
        for file in $new; do
            crashed+=("$target: $artifacts/$file")
        done
        [ -n "$new" ] || crashed+=("$target: exit $status, see the log above")
    fi
    rm -f "$log"
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#crashed[@]} -gt 0 ]; then
    echo
    echo "Crashes (reproduce with: cargo fuzz run -s none --debug-assertions --fuzz-dir fuzz TARGET FILE):"
    printf '  %s\n' "${crashed[@]}"
    exit 1
fi
echo "No crashes."
