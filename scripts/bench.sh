#!/usr/bin/env bash
# Whole-build benchmark: Charter against Hugo and Zola (when installed) and
# against the floor (parse + write only), on generated corpora of 1,000 and
# 10,000 departments, on tmpfs. Reports wall time, CPU time and peak memory
# (median of RUNS runs, output folder kept between runs) and ratios.
#
#   scripts/bench.sh [SIZES...]          e.g. scripts/bench.sh 1000 10000
#   RUNS=3 BENCH_DIR=/dev/shm/charter-bench scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] && SIZES=("$@") || SIZES=(1000 10000)
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/dev/shm/charter-bench}
mkdir -p "$DIR"
cargo build --release --quiet --bin charter --example gen-corpus --example floor
BIN=$PWD/target/release
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d), dir $DIR"
command -v hugo >/dev/null && echo "hugo: $(hugo version | cut -d' ' -f2)" || echo "hugo: not installed (apt-get install hugo)"
command -v zola >/dev/null && echo "zola: $(zola --version)" || echo "zola: not installed"

# run NAME CMD...: RUNS runs; prints "NAME wall cpu maxrss" (medians).
run() {
  local name=$1; shift
  local walls=() cpus=() rss=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" >"$DIR/log.txt" 2>&1 || { echo "$name failed:"; tail -5 "$DIR/log.txt"; return 1; }
    read -r w u s m <"$DIR/time.txt"
    walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')"); rss+=("$m")
  done
  local mw mc mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  mc=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  mr=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-28s %8.2f s %8.2f s %8d MiB\n' "$name" "$mw" "$mc" "$((mr / 1024))"
  echo "$name $mw" >>"$DIR/results.txt"
}

for n in "${SIZES[@]}"; do
  echo
  echo "== $n departments =="
  : >"$DIR/results.txt"
  for f in charter zola hugo; do
    [ -d "$DIR/$f-$n" ] || "$BIN/examples/gen-corpus" --departments "$n" --format "$f" "$DIR/$f-$n" 2>/dev/null
  done
  printf '%-28s %10s %10s %12s\n' tool wall cpu "peak memory"
  run "charter (all pages)" "$BIN/charter" build --root "$DIR/charter-$n" --output "$DIR/out-charter-$n"
  run "floor (parse+write)" "$BIN/examples/floor" "$DIR/charter-$n" "$DIR/out-floor-$n"
  if command -v hugo >/dev/null; then
    run "hugo (bodies only)" hugo --quiet -s "$DIR/hugo-$n" -d "$DIR/out-hugo-$n"
  fi
  if command -v zola >/dev/null; then
    run "zola (bodies only)" zola --root "$DIR/zola-$n" build --force -o "$DIR/out-zola-$n"
  fi
  base=$(awk '/^charter/{print $NF}' "$DIR/results.txt")
  echo "ratios (tool time / charter time):"
  awk -v b="$base" '!/^charter/{ printf "  %-26s %6.2fx\n", $1" "$2" "$3, $NF / b }' "$DIR/results.txt"
done
