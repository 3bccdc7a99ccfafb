#!/usr/bin/env bash
# The tape arena does not grow over training: the peak RSS of a 10-epoch run
# of train_snn equals that of a 1-epoch run within 5%.
set -euo pipefail
train_snn="$1"
peak() {
  "$train_snn" --neuron ultra-plif --limit 2000 --test-limit 500 --epochs "$1" --threads 2 --timesteps 2 |
    sed -n 's/^peak RSS: \([0-9]*\) KiB$/\1/p'
}
one=$(peak 1)
ten=$(peak 10)
[ -n "$one" ] && [ -n "$ten" ] || { echo "train_snn did not print its peak RSS" >&2; exit 1; }
echo "peak RSS: 1 epoch ${one} KiB, 10 epochs ${ten} KiB"
if [ $((ten * 100)) -gt $((one * 105)) ]; then
  echo "the 10-epoch run's peak RSS exceeds the 1-epoch run's by more than 5%: memory grows with training" >&2
  exit 1
fi
