#!/usr/bin/env bash
# The research harness end to end on the tiny grid (2 neurons x 1 seed x
# 1 epoch on 500 samples): it writes the CSVs and the summary, a re-run skips
# the finished rows, an interrupted write is survived, and plots are drawn
# (or, without gnuplot, explained).
set -euo pipefail
compare="$1"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail() { echo "compare_tiny: $*" >&2; exit 1; }
rows() { grep -c '^ultra-plif,\|^lif-fast-sigmoid,' "$1" || true; }

"$compare" --preset tiny --out "$out" --threads 2 > "$out/log1"
cat "$out/log1"
[ "$(rows "$out/runs.csv")" = 2 ] || fail "runs.csv should hold 2 runs"
[ "$(rows "$out/epochs.csv")" = 2 ] || fail "epochs.csv should hold 1 epoch of 2 runs"
[ "$(rows "$out/trace.csv")" -ge 2 ] || fail "trace.csv should hold trace points"
grep -q '^| ultra-plif | 1 |' "$out/summary.md" || fail "summary.md lacks the ultra-plif row"
grep -q '^| lif-fast-sigmoid | 1 |' "$out/summary.md" || fail "summary.md lacks the lif-fast-sigmoid row"
# The summary's accuracy is the CSV's, as a percentage with 2 decimals.
acc=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "acc_soft") c = i } $1 == "ultra-plif" { printf "%.2f", 100 * $c }' "$out/runs.csv")
grep -q "^| ultra-plif | 1 | \(\*\*\)\?$acc" "$out/summary.md" || fail "summary.md's ultra-plif accuracy is not runs.csv's $acc"
if command -v gnuplot > /dev/null; then
  [ -s "$out/plots/eps_over_training.png" ] || fail "gnuplot is installed but no eps_over_training.png"
fi

# A re-run skips both runs and trains nothing.
"$compare" --preset tiny --out "$out" --threads 2 > "$out/log2"
grep -q '2 runs, 2 already done (skipped), 0 to run' "$out/log2" || fail "the re-run did not skip the finished rows"
[ "$(rows "$out/runs.csv")" = 2 ] || fail "the re-run changed runs.csv"

# Interrupted mid-write: the lif row is lost and a partial line is left. The
# next call reruns only that run, and keeps the finished row.
grep -v '^lif-fast-sigmoid,' "$out/runs.csv" > "$out/runs.tmp"
printf 'lif-fast-sigmoid,fashion,1,1' >> "$out/runs.tmp"
mv "$out/runs.tmp" "$out/runs.csv"
TROPIGRAD_GNUPLOT= "$compare" --preset tiny --out "$out" --threads 2 > "$out/log3"
grep -q '1 incomplete line' "$out/log3" || fail "the partial line was not reported"
grep -q '2 runs, 1 already done (skipped), 1 to run' "$out/log3" || fail "the interrupted run was not redone"
[ "$(rows "$out/runs.csv")" = 2 ] || fail "runs.csv should hold the 2 runs, the cut line dropped"
grep -q 'no gnuplot, so no PNG (apt-get install gnuplot-nox' "$out/log3" || fail "no message without gnuplot"
[ -s "$out/plots/eps_over_training.dat" ] || fail "without gnuplot the plot data must still be written"
"$compare" --preset tiny --out "$out" --list | grep -c '^done ' | grep -q '^2$' || fail "--list should show 2 done runs"

# Bad input: a clear error, not a crash.
if "$compare" --preset nope --out "$out" 2> "$out/err"; then fail "an unknown preset was accepted"; fi
grep -q "unknown --preset 'nope'; valid presets:" "$out/err" || fail "unclear error for a bad preset"
if "$compare" --preset tiny --eps 0.01 --out "$out" 2> "$out/err"; then fail "eps 0.01 was accepted"; fi
grep -q -- "--eps values must be numbers in \[0.1, 20\], got '0.01'" "$out/err" || fail "unclear error for a bad eps"
echo "compare_tiny: passed"
