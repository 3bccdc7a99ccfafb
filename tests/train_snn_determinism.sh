#!/usr/bin/env bash
# train_snn is deterministic for a seed and thread count: two runs with two
# worker threads write the same losses, accuracies, spike rates, eps and tau.
# (Timing columns, samples/s and seconds, are dropped before comparing.)
set -euo pipefail
train_snn="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for run in 1 2; do
  "$train_snn" --neuron ultra-plif,lif-fast-sigmoid --limit 1500 --test-limit 500 --epochs 2 --threads 2 \
    --timesteps 2 --csv "$work/run$run.csv" > /dev/null
  cut -d, -f1-18 "$work/run$run.csv" > "$work/run$run.cut"
done
if ! diff "$work/run1.cut" "$work/run2.cut"; then
  echo "train_snn: two runs with the same seed and --threads 2 differ" >&2
  exit 1
fi
lines=$(wc -l < "$work/run1.cut")
[ "$lines" -eq 5 ] || { echo "expected a header and 4 epoch rows, got $lines lines" >&2; exit 1; }
echo "train_snn: 2 runs x 2 neurons x 2 epochs identical"
