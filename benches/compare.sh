#!/usr/bin/env bash
# Side-by-side speed of stacklog and the text-scanning tools it is measured
# against (DESIGN.md section 7), on the same generated corpus, the same
# files and the same number of threads:
#
#   stacklog scan -q --format json CORPUS            full diagnosis of every file
#   rg -c -f PATTERNS (--no-unicode, and as is)      the signatures' regexes only
#   grep -c -E -f PATTERNS.ere                       the same, as POSIX ERE
#   python3 benches/pyloop.py PATTERNS FILES...      a re.search loop per line
#   stacklog diagnose BIG.log                        one large log, one thread
#   cat CORPUS | stacklog diagnose -                 peak RSS (with /usr/bin/time)
#
# Usage: benches/compare.sh [--megabytes M] [--files N] [--seed S]
#          [--runs N] [--threads T] [--slow-mb M] [--big-mb M] [--timeout S]
#
# The corpus (benches/corpus/mod.rs) is cached under
# ${CARGO_TARGET_DIR:-target}/bench-corpus/, keyed by its parameters and a
# hash of the generator and the sample verdicts; its manifest lies beside
# it (CORPUS.manifest.tsv), so no tool reads it. Needs cargo, python3, grep
# and gzip; rg (apt-get install ripgrep) and /usr/bin/time are optional.
set -euo pipefail

megabytes=1000
files=1000
seed=42
runs=3
threads=$(nproc 2>/dev/null || echo 1)
slow_mb=4      # rg with Unicode classes and python run on this much
big_mb=256     # the single large log
timeout_s=300  # cap on one run of a slow tool

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($#)); do
  case $1 in
    --megabytes) megabytes=$2 ;;
    --files) files=$2 ;;
    --seed) seed=$2 ;;
    --runs) runs=$2 ;;
    --threads) threads=$2 ;;
    --slow-mb) slow_mb=$2 ;;
    --big-mb) big_mb=$2 ;;
    --timeout) timeout_s=$2 ;;
    -h | --help) usage 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage 2 ;;
  esac
  shift 2
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/release/stacklog
gen=$target/release/examples/gen_corpus

log() { printf '%s\n' "$*" >&2; }

log "building (release)..."
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus

# --- the corpus, generated once per parameter set --------------------------

key=$(cat benches/corpus/mod.rs samples/expected.tsv samples/go/expected.tsv | sha256sum | cut -c1-10)
cache=$target/bench-corpus
mkdir -p "$cache"

# corpus NAME ARGS...: generate (unless cached) into $cache/NAME
corpus() {
  local name=$1
  shift
  local dir=$cache/$name
  if [[ ! -e $dir.done ]]; then
    rm -rf "$dir" "$dir.manifest.tsv"
    log "generating $dir..."
    "$gen" --out "$dir" "$@" >&2
    touch "$dir.done"
  fi
  printf '%s\n' "$dir"
}

main_corpus=$(corpus "s$seed-f$files-m$megabytes-$key" \
  --files "$files" --megabytes "$megabytes" --seed "$seed")
big_corpus=$(corpus "big-s$seed-m$big_mb-$key" \
  --files 1 --go-share 0 --gzip-share 0 --megabytes "$big_mb" --seed "$seed")
big_log=$(find "$big_corpus" -type f -name 'stack.sh.log' | head -n 1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# uncompressed bytes of the whole corpus
all_files=$work/all.txt
find "$main_corpus" -type f -print0 | sort -z >"$all_files"
plain_files=$work/plain.txt
find "$main_corpus" -type f ! -name '*.gz' -print0 | sort -z >"$plain_files"
gz_files=$work/gz.txt
find "$main_corpus" -type f -name '*.gz' -print0 | sort -z >"$gz_files"
corpus_bytes=$(xargs -0 zcat -f <"$all_files" | wc -c)
corpus_count=$(tr -cd '\0' <"$all_files" | wc -c)

# the slow tools' sample: plain files spread over the corpus (one in
# $stride, so that it holds several endings and both eras: rg's Unicode
# speed depends a lot on the text), up to $slow_mb MB
slow_files=$work/slow.txt
slow_bytes=0
: >"$slow_files"
mapfile -d '' plain <"$plain_files"
stride=$(((${#plain[@]} + 15) / 16))
for ((i = 0; i < ${#plain[@]}; i += stride)); do
  ((slow_bytes >= slow_mb * 1000000)) && break
  printf '%s\0' "${plain[i]}" >>"$slow_files"
  slow_bytes=$((slow_bytes + $(stat -c %s "${plain[i]}")))
done
mapfile -d '' slow <"$slow_files"
slow_count=${#slow[@]}
big_bytes=$(stat -c %s "$big_log")

# --- the patterns ----------------------------------------------------------

"$bin" rules patterns >"$work/patterns.txt"
python3 benches/pyloop.py --to-rg "$work/patterns.txt" >"$work/patterns.rg"
python3 benches/pyloop.py --to-ere "$work/patterns.txt" >"$work/patterns.ere"
log "$(wc -l <"$work/patterns.txt") signature patterns"

# --- timing ----------------------------------------------------------------

# seconds since the epoch, with nanoseconds
now() { date +%s.%N; }

# timed CMD...: median wall-clock seconds of $runs runs (a run that timed
# out counts as "timeout")
timed() {
  local t0 t1 i rc
  local -a times=()
  for ((i = 0; i < runs; i++)); do
    t0=$(now)
    rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    t1=$(now)
    # rg and grep exit 1 when nothing matched; timeout exits 124
    if ((rc == 124)); then
      echo timeout
      return
    elif ((rc > 1)); then
      log "failed ($rc): $*"
      echo failed
      return
    fi
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

rows=$work/rows.tsv
: >"$rows"

# row TOOL THREADS FILES BYTES SECONDS: one line of the table
row() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"
  log "  $1 ($2 threads): $5 s"
}

scan() { "$bin" scan -q --format json -j "$1" "$main_corpus"; }
rg_fast() {
  rg -c -z --no-ignore --hidden --no-unicode -j "$1" -f "$work/patterns.rg" "$main_corpus"
}
rg_unicode() {
  timeout "$timeout_s" rg -c --no-ignore -j "$1" -f "$work/patterns.rg" "${slow[@]}"
}
# grep is one thread a process: the files are shared among $1 processes,
# gzip files go through zgrep; exit 1 (no line matched) is not an error
grep_ere() {
  # shellcheck disable=SC2016 # expanded by the bash that xargs runs
  local each='"$0" -c -E -f "$1" "${@:2}"; (($? <= 1))'
  xargs -0 -r -P "$1" -n 16 bash -c "$each" grep "$work/patterns.ere" <"$plain_files"
  xargs -0 -r -P "$1" -n 16 bash -c "$each" zgrep "$work/patterns.ere" <"$gz_files"
}
pyloop() { timeout "$timeout_s" python3 benches/pyloop.py "$work/patterns.txt" "${slow[@]}"; }
diagnose_big() { "$bin" diagnose --no-worlddump --format json "$big_log"; }
rg_big() { rg -c --no-unicode -j 1 -f "$work/patterns.rg" "$big_log"; }

have_rg=false
command -v rg >/dev/null && have_rg=true

log "corpus: $corpus_count files, $corpus_bytes bytes uncompressed ($main_corpus)"
for t in "$threads" 1; do
  row "stacklog scan" "$t" "$corpus_count" "$corpus_bytes" "$(timed scan "$t")"
  if $have_rg; then
    row "rg --no-unicode" "$t" "$corpus_count" "$corpus_bytes" "$(timed rg_fast "$t")"
  fi
  row "grep -E" "$t" "$corpus_count" "$corpus_bytes" "$(timed grep_ere "$t")"
  [[ $t == 1 ]] && break
done
if $have_rg; then
  row "rg (Unicode)" "$threads" "$slow_count" "$slow_bytes" "$(timed rg_unicode "$threads")"
fi
row "python re loop" 1 "$slow_count" "$slow_bytes" "$(timed pyloop)"
row "stacklog diagnose (1 log)" 1 1 "$big_bytes" "$(timed diagnose_big)"
if $have_rg; then
  row "rg --no-unicode (1 log)" 1 1 "$big_bytes" "$(timed rg_big)"
fi

# --- the verdicts of the timed scan match the ground truth -----------------

"$bin" scan -q --format json "$main_corpus" >"$work/scan.json" || true
verdicts=$(python3 - "$main_corpus" "$work/scan.json" <<'EOF'
import json, os, sys
corpus, out = sys.argv[1], sys.argv[2]
truth = {}
with open(corpus.rstrip("/") + ".manifest.tsv") as f:
    next(f)
    for line in f:
        c = line.rstrip("\n").split("\t")
        truth[c[0]] = tuple(c[1:4])
ok = seen = 0
with open(out) as f:
    for line in f:
        v = json.loads(line)
        if "input" not in v:
            continue
        rel = os.path.relpath(v["input"], corpus)
        rule = (v.get("root_cause") or {}).get("rule") or "-"
        seen += 1
        ok += truth.get(rel) == (v["kind"], v["outcome"], rule)
print(f"{ok}/{len(truth)} files got their manifest verdict ({seen} reported)")
EOF
)

# --- peak memory of one 1 GB stream ----------------------------------------

rss="(no /usr/bin/time)"
if [[ -x /usr/bin/time ]]; then
  rss=$( { xargs -0 zcat -f <"$all_files" |
    /usr/bin/time -v "$bin" diagnose --no-worlddump --format json - >/dev/null; } 2>&1 |
    awk -F': ' '/Maximum resident set size/ { printf "%.1f MB", $2 / 1024 }') || true
fi

# --- the table -------------------------------------------------------------

echo
echo "corpus   $main_corpus"
echo "         $corpus_count files, $(awk -v b="$corpus_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB uncompressed; slow tools on $slow_count plain files ($(awk -v b="$slow_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB)"
echo "patterns $(wc -l <"$work/patterns.txt") (stacklog rules patterns); median of $runs runs; $(nproc) cores"
echo "verdicts $verdicts"
echo
awk -F'\t' '
  function mbps(b, s) { return (s ~ /^[0-9.]+$/ && s > 0) ? b / 1e6 / s : 0 }
  { tool[NR] = $1; th[NR] = $2; nf[NR] = $3; by[NR] = $4; s[NR] = $5
    r = mbps($4, $5)
    rate[NR] = r
    if ($1 == "stacklog scan") ref[$2] = r
    if ($1 == "stacklog diagnose (1 log)") big = r }
  END {
    printf "%-26s %7s %6s %10s %10s %9s  %s\n", "tool", "threads", "files", "MB", "seconds", "MB/s", "time vs stacklog"
    for (i = 1; i <= NR; i++) {
      # the stacklog rate on the same kind of input and thread count
      base = (tool[i] ~ /1 log/) ? big : ((th[i] in ref) ? ref[th[i]] : ref[1])
      vs = (rate[i] > 0 && base > 0) ? sprintf("%.2fx", base / rate[i]) : "-"
      if (tool[i] ~ /^stacklog/) vs = "1.00x"
      printf "%-26s %7s %6s %10.1f %10s %9s  %s\n", tool[i], th[i], nf[i], by[i] / 1e6, s[i],
        (rate[i] >= 10 ? sprintf("%.1f", rate[i]) : (rate[i] > 0 ? sprintf("%.3f", rate[i]) : "-")), vs
    }
  }' "$rows"
echo
echo "peak RSS of cat CORPUS | stacklog diagnose - : $rss"
echo "(time vs stacklog: the tool's time for the same bytes over stacklog's, same threads;"
echo " rows on a sample are compared by MB/s with the stacklog row of the same thread count;"
echo " rg and grep compile the $(wc -l <"$work/patterns.txt") patterns on every run: on a small sample that is most of their time)"
