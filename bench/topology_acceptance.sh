#!/usr/bin/env bash
# Prices ds's all-reduce choice and NCCL 2.7.5's choice with ds-sim on the
# acceptance fabrics (examples/topologies), 1 KiB .. 1 GiB, and prints the
# markdown tables of docs/topology.md with the ratios. Writes CSV and SVG
# files to ${OUT:-build/bench/topology}. Nothing here is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${DS_SIM:-build/bin/ds-sim}
OUT=${OUT:-build/bench/topology}
mkdir -p "$OUT"
for topo in uniform-1024x8.json pods-roundrobin-1024x8.json pods-contiguous-1024x8.yaml; do
  name=${topo%.*}
  "$SIM" "examples/topologies/$topo" --sweep=1K:1G --compare-nccl \
    --csv="$OUT/$name.csv" --svg="$OUT/$name-choice.svg" > "$OUT/$name.txt"
  "$SIM" "examples/topologies/$topo" --sweep=1K:1G --algorithm=all \
    --csv="$OUT/$name-all.csv" --svg="$OUT/$name-all.svg" > /dev/null
  python3 - "$OUT/$name.csv" "$name" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ds = {int(r["bytes"]): r for r in rows if r["series"] == "ds choice"}
nc = {int(r["bytes"]): r for r in rows if r["series"] == "nccl choice"}
def size(b):
    for u, s in ((1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")):
        if b >= u:
            return f"{b // u} {s}iB"
    return f"{b} B"
print(f"\n### {sys.argv[2]}\n")
print("| size | ds choice | ds time (us) | ds busbw (GB/s) | ds util | NCCL choice | NCCL time (us) | NCCL busbw (GB/s) | NCCL util | ds speedup |")
print("|---:|---|---:|---:|---:|---|---:|---:|---:|---:|")
worst = {}
for b in sorted(ds):
    d, n = ds[b], nc[b]
    ratio = float(n["time_us"]) / float(d["time_us"])
    print(f"| {size(b)} | {d['detail']} | {float(d['time_us']):.1f} | {float(d['busbw_GBps']):.1f} | "
          f"{100*float(d['utilization']):.1f}% | {n['detail']} | {float(n['time_us']):.1f} | "
          f"{float(n['busbw_GBps']):.1f} | {100*float(n['utilization']):.1f}% | {ratio:.2f}x |")
    worst.setdefault("all", []).append(ratio)
    if b >= 16 << 20:
        worst.setdefault("16M+", []).append(ratio)
print(f"\nmin speedup 1 KiB..1 GiB: {min(worst['all']):.2f}x; 16 MiB..1 GiB: {min(worst['16M+']):.2f}x")
PY
done
