#!/usr/bin/env bash
# Whole-build benchmark: Charter against Hugo and Zola (when installed),
# against the parse floor (parse + write bodies only) and against its own
# write floor (the time to write Charter's finished output, bytes and
# files, with all cores), on generated corpora. Every build starts from an
# empty output folder (removed and synced before each run, untimed), as in
# CI. Reports median wall time, CPU time and peak memory of RUNS runs, the
# ratios, and the output's weight (size, files, folders, largest page
# outside /print/).
#
#   scripts/bench.sh [SIZES...]          e.g. scripts/bench.sh 1000 10000
#   RUNS=3 ROLES=3 BENCH_DIR=/dev/shm/charter-bench scripts/bench.sh
#   BENCH_DIR=/var/tmp/charter-bench scripts/bench.sh 1000    # on a real disk
#
# BENCH_DIR holds the corpora and the outputs: tmpfs by default; a folder
# on a disk measures what CI sees, where every file and folder made is a
# system call that tmpfs hides. ROLES (2–5, default 3) is the number of
# roles and of activities per department.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] && SIZES=("$@") || SIZES=(1000 10000)
RUNS=${RUNS:-3}
ROLES=${ROLES:-3}
DIR=${BENCH_DIR:-/dev/shm/charter-bench}
mkdir -p "$DIR"
cargo build --release --quiet --bin charter --example gen-corpus --example floor --example write-floor
BIN=$PWD/target/release
fs=$(stat -f -c %T "$DIR")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d), dir $DIR ($fs), $ROLES roles per department"
command -v hugo >/dev/null && echo "hugo: $(hugo version | cut -d' ' -f2)" || echo "hugo: not installed (apt-get install hugo)"
command -v zola >/dev/null && echo "zola: $(zola --version)" || echo "zola: not installed"

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

# run NAME OUT CMD...: RUNS runs, each into an empty OUT; prints
# "NAME wall cpu maxrss" (medians).
run() {
  local name=$1 out=$2; shift 2
  local walls=() cpus=() rss=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$out"; sync
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" >"$DIR/log.txt" 2>&1 || { echo "$name failed:"; tail -5 "$DIR/log.txt"; return 1; }
    read -r w u s m <"$DIR/time.txt"
    walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')"); rss+=("$m")
  done
  local mw mc mr
  mw=$(printf '%s\n' "${walls[@]}" | median)
  mc=$(printf '%s\n' "${cpus[@]}" | median)
  mr=$(printf '%s\n' "${rss[@]}" | median)
  printf '%-28s %8.2f s %8.2f s %8d MiB\n' "$name" "$mw" "$mc" "$((mr / 1024))"
  echo "$name $mw" >>"$DIR/results.txt"
}

for n in "${SIZES[@]}"; do
  echo
  echo "== $n departments =="
  : >"$DIR/results.txt"
  for f in charter zola hugo; do
    [ -d "$DIR/$f-$n" ] || "$BIN/examples/gen-corpus" --departments "$n" --roles "$ROLES" --format "$f" "$DIR/$f-$n" >/dev/null 2>&1
  done
  printf '%-28s %10s %10s %12s\n' tool wall cpu "peak memory"
  run "charter (all pages)" "$DIR/out-charter-$n" "$BIN/charter" build --root "$DIR/charter-$n" --output "$DIR/out-charter-$n"
  run "floor (parse+write)" "$DIR/out-floor-$n" "$BIN/examples/floor" "$DIR/charter-$n" "$DIR/out-floor-$n"
  if command -v hugo >/dev/null; then
    run "hugo (bodies only)" "$DIR/out-hugo-$n" hugo --quiet -s "$DIR/hugo-$n" -d "$DIR/out-hugo-$n"
  fi
  if command -v zola >/dev/null; then
    run "zola (bodies only)" "$DIR/out-zola-$n" zola --root "$DIR/zola-$n" build --force -o "$DIR/out-zola-$n"
  fi
  # The write floor of Charter's own output: its printed time (writing only).
  floors=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$DIR/out-wfloor-$n"; sync
    floors+=("$("$BIN/examples/write-floor" "$DIR/out-charter-$n" "$DIR/out-wfloor-$n" | awk '{print $(NF-1)}')")
  done
  wf=$(printf '%s\n' "${floors[@]}" | median)
  printf '%-28s %8.2f s\n' "write floor (Charter's output)" "$wf"
  rm -rf "$DIR/out-wfloor-$n"
  base=$(awk '/^charter/{print $NF}' "$DIR/results.txt")
  echo "ratios (tool time / charter time):"
  awk -v b="$base" '!/^charter/{ printf "  %-26s %6.2fx\n", $1" "$2" "$3, $NF / b }' "$DIR/results.txt"
  awk -v b="$base" -v w="$wf" 'BEGIN{ printf "  charter / write floor       %6.2fx\n", b / w }'
  o="$DIR/out-charter-$n"
  echo "output: $(du -sm "$o" | cut -f1) MiB on disk, $(du -sm --apparent-size "$o" | cut -f1) MiB of bytes, $(find "$o" -type f | wc -l) files, $(find "$o" -mindepth 1 -type d | wc -l) folders"
  echo "largest pages outside /print/:"
  find "$o" -name '*.html' -not -path "$o/print/*" -printf '  %s bytes  %P\n' | sort -n -k1 | tail -3
done
