#!/usr/bin/env bash
# A/B of two charter binaries on one site: builds alternate (A, B, A, B …)
# into kept output folders, so that a noisy machine slows both alike;
# prints the median wall time, CPU time and peak memory of each.
#
#   scripts/ab.sh BIN_A BIN_B SITE [RUNS]
#   e.g. scripts/ab.sh /tmp/charter-old target/release/charter /dev/shm/charter-bench/charter-10000 3
#
# For a figure that noise does not move, count instructions instead:
#   valgrind --tool=cachegrind --cache-sim=no BIN build --root SITE --output OUT
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,9p "$0"; exit 2; }
A=$1 B=$2 SITE=$3 RUNS=${4:-3}
OUT=${AB_DIR:-/dev/shm}/ab-out
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
for bin in A B; do "${!bin}" build --root "$SITE" --output "$OUT-$bin" >/dev/null 2>&1; done
for _ in $(seq "$RUNS"); do
  for bin in A B; do
    /usr/bin/time -f "$bin %e %U %S %M" -a -o "$TIMES" "${!bin}" build --root "$SITE" --output "$OUT-$bin" >/dev/null 2>&1
  done
done
med() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
for bin in A B; do
  w=$(awk -v b="$bin" '$1 == b {print $2}' "$TIMES" | med)
  c=$(awk -v b="$bin" '$1 == b {print $3 + $4}' "$TIMES" | med)
  m=$(awk -v b="$bin" '$1 == b {print int($5 / 1024)}' "$TIMES" | med)
  echo "$bin (${!bin}): wall $w s, CPU $c s, peak $m MiB"
done
