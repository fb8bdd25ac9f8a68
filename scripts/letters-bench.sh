#!/usr/bin/env bash
# The letters benchmark (issue 6): N notice letters (default 20,000) of the example ransomware case
# into one PDF with the release build — target on the project's 2-core machine: at most 60 s — and
# the same letters through LibreOffice's headless PDF conversion (what a city would use otherwise),
# measured in the same run. Prints letters/s and the total time of each.
#
#   bash scripts/letters-bench.sh [N] [WORKDIR]
#
# Run by hand, never in CI: it installs what is missing with apt-get (fonts-ipaexfont-*,
# poppler-utils, libreoffice-writer-nogui) and LibreOffice takes minutes for 20,000 letters.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
work=${2:-${TMPDIR:-/tmp}/todoke-letters-bench}
target=${CARGO_TARGET_DIR:-target}

missing=()
[ -f /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf ] || missing+=(fonts-ipaexfont-mincho)
[ -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || missing+=(fonts-ipaexfont-gothic)
command -v pdfinfo >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cargo build --release -p todoke-docs --features pdf --example letters_bench
bench="$target/release/examples/letters_bench"
rm -rf "$work" && mkdir -p "$work/lo"

pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f letters/s", n / s }'; }

# todoke: the whole command (fonts read, letters set, PDF written), and the library call alone.
echo "== todoke (Typst), $n letters"
t0=$(now)
"$bench" "$n" "$work/todoke.pdf" | tee "$work/todoke.txt"
t1=$(now)
todoke_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
todoke_pages=$(pages "$work/todoke.pdf")
[ "$todoke_pages" = "$n" ] || { echo "todoke: $todoke_pages pages, expected $n" >&2; exit 1; }

# LibreOffice: the same letters as Flat ODT files of 50 letters (its time per letter grows with
# the size of a document: 2,000 letters in one file took 10 minutes here), converted by
# `soffice --headless --convert-to pdf` in one process per core, as todoke uses every core, and
# joined into one PDF by pdfunite. A first conversion of one letter creates each process's
# LibreOffice profile, so that the timed run does not count that.
cores=$(nproc)
echo "== LibreOffice $(soffice --version | awk '{ print $2 }'), $n letters, $cores processes"
"$bench" --fodt "$n" "$work/lo/fodt" 50
"$bench" --fodt 1 "$work/lo/warm" >/dev/null
for c in $(seq 1 "$cores"); do
    soffice --headless "-env:UserInstallation=file://$work/lo/profile-$c" --convert-to pdf \
        --outdir "$work/lo/warm" "$work/lo/warm/letters-00001.fodt" >/dev/null 2>&1
done
mapfile -t files < <(ls "$work/lo/fodt"/*.fodt)
mkdir -p "$work/lo/pdf"
t0=$(now)
for c in $(seq 1 "$cores"); do
    share=()
    for ((i = c - 1; i < ${#files[@]}; i += cores)); do share+=("${files[$i]}"); done
    soffice --headless "-env:UserInstallation=file://$work/lo/profile-$c" --convert-to pdf \
        --outdir "$work/lo/pdf" "${share[@]}" >"$work/lo/soffice-$c.log" 2>&1 &
done
wait
pdfunite "$work/lo/pdf"/letters-*.pdf "$work/lo/letters.pdf"
t1=$(now)
lo_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
lo_pages=$(pages "$work/lo/letters.pdf")

echo
echo "letters: $n (machine: $(nproc) cores)"
echo "todoke:      ${todoke_secs} s, $(rate "$n" "$todoke_secs"), $todoke_pages pages, $(du -h "$work/todoke.pdf" | cut -f1)"
echo "LibreOffice: ${lo_secs} s, $(rate "$n" "$lo_secs"), $lo_pages pages, $(du -h "$work/lo/letters.pdf" | cut -f1)"
[ "$lo_pages" = "$n" ] || echo "note: LibreOffice made $lo_pages pages for $n letters" >&2
