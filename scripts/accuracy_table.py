#!/usr/bin/env python3
"""Summarise train_snn CSV files into a Markdown table of best test accuracy.

    scripts/accuracy_table.py results/paper_t1.csv [more.csv ...]

One row per (neuron, timesteps): epochs run, best soft and binary test
accuracy (each the best over epochs), the epoch of the best soft accuracy,
final spike rate, learned eps and tau, and mean samples/s.
"""
import csv
import sys
from collections import OrderedDict


def main(paths):
    runs = OrderedDict()
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                runs.setdefault((row["neuron"], row["timesteps"]), []).append(row)
    print("| neuron | T | epochs | best acc soft | best acc binary | epoch of best soft | spike rate | eps | tau | samples/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (neuron, timesteps), rows in runs.items():
        best = max(rows, key=lambda r: float(r["test_acc_soft"]))
        best_binary = max(float(r["test_acc_binary"]) for r in rows)
        last = rows[-1]
        speed = sum(float(r["samples_per_s"]) for r in rows) / len(rows)
        fmt = lambda v: "-" if v in ("nan", "") else f"{float(v):.3f}"
        print(f"| {neuron} | {timesteps} | {len(rows)} | {100 * float(best['test_acc_soft']):.2f}% | "
              f"{100 * best_binary:.2f}% | {int(best['epoch']) + 1} | {float(last['spike_rate']):.3f} | "
              f"{fmt(last['eps'])} | {fmt(last['tau'])} | {speed:.0f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
