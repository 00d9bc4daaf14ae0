#!/usr/bin/python3
"""ds-quant-analyze: per-layer quantization sensitivity of a model.

Usage:
  /usr/bin/python3 tools/ds-quant-analyze/ds-quant-analyze.py MODEL.onnx
      --calibration DIR --ds-run PATH [--quantize OPTIONS] [-o PREFIX]

DIR is an ONNX test-data folder (input_*.pb) or a folder of such folders.
The model runs once in float, then once per quantizable layer with only that
layer quantized (ds-quantize's `layers=` option, the other options from
--quantize, default "weights=int8"), on every calibration input. For each
layer it reports the output's SQNR (dB) and relative L2 error against the
float output, and for classifier-like outputs (rank >= 2, more than one
class) the percentage of rows whose top-1 class is unchanged. Layers are
listed most sensitive (lowest SQNR) first, as PREFIX.json and PREFIX.md
(default: sensitivity.*), and the Markdown table is printed.

A calibration folder whose inputs do not match the model is reported by
ds-run (the input's name, shape or type) and ends the analysis with exit 1.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def read_pb(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def calibration_sets(root):
    if any(f.startswith("input_") for f in os.listdir(root)):
        return [root]
    sets = sorted(os.path.join(root, d) for d in os.listdir(root)
                  if os.path.isdir(os.path.join(root, d)))
    sets = [d for d in sets
            if any(f.startswith("input_") for f in os.listdir(d))]
    if not sets:
        sys.exit("ds-quant-analyze: error: no input_*.pb in '%s' or its "
                 "subfolders" % root)
    return sets


def run(ds_run, model, data, quantize, workdir):
    """Outputs of the model on one calibration set (list of arrays)."""
    out = tempfile.mkdtemp(dir=workdir)
    cmd = [ds_run, model, "--output-dir", out]
    for f in sorted(os.listdir(data)):
        if f.startswith("input_"):
            name, _ = read_pb(os.path.join(data, f))
            cmd += ["--input", "%s=%s" % (name, os.path.join(data, f))]
    if quantize:
        cmd += ["--quantize", quantize]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("ds-quant-analyze: error: ds-run failed on '%s'" % data)
    return [read_pb(os.path.join(out, f))[1]
            for f in sorted(os.listdir(out)) if f.startswith("output_")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("model")
    ap.add_argument("--calibration", required=True)
    ap.add_argument("--ds-run", required=True)
    ap.add_argument("--quantize", default="weights=int8")
    ap.add_argument("-o", "--output", default="sensitivity")
    args = ap.parse_args()
    sets = calibration_sets(args.calibration)
    work = tempfile.mkdtemp(prefix="ds-quant-analyze-")

    # Which layers can be quantized: ds-quantize's report on the full model.
    report_path = os.path.join(work, "all.json")
    run(args.ds_run, args.model, sets[0],
        args.quantize + " report=" + report_path, work)
    with open(report_path) as f:
        report = json.load(f)
    candidates = [l for l in report["layers"] if l["quantized"]]
    skipped = [l for l in report["layers"] if not l["quantized"]]

    reference = [run(args.ds_run, args.model, d, None, work) for d in sets]
    rows = []
    for layer in candidates:
        q = "%s layers=%s" % (args.quantize, layer["name"])
        noise = signal = 0.0
        agree = total = 0
        for d, ref in zip(sets, reference):
            got = run(args.ds_run, args.model, d, q, work)
            for r, g in zip(ref, got):
                r64, g64 = r.astype(np.float64), g.astype(np.float64)
                noise += float(np.sum((r64 - g64) ** 2))
                signal += float(np.sum(r64 ** 2))
                if r.ndim >= 2 and r.shape[-1] > 1:
                    agree += int(np.sum(r.argmax(-1) == g.argmax(-1)))
                    total += int(np.prod(r.shape[:-1]))
        sqnr = float("inf") if noise == 0 else 10 * np.log10(signal / noise)
        rows.append({
            "name": layer["name"], "op": layer["op"], "k": layer["k"],
            "n": layer["n"], "bits": layer["bits"], "group": layer["group"],
            "sqnr_db": sqnr,
            "rel_l2": float(np.sqrt(noise / signal)) if signal else 0.0,
            "top1_agreement": 100.0 * agree / total if total else None,
            "float_bytes": layer["float_bytes"],
            "quantized_bytes": layer["quantized_bytes"]})
    rows.sort(key=lambda r: r["sqnr_db"])
    result = {"model": args.model, "quantize": args.quantize,
              "calibration_sets": len(sets), "layers": rows,
              "not_quantizable": [{"name": l["name"], "op": l["op"],
                                   "reason": l["reason"]} for l in skipped]}
    with open(args.output + ".json", "w") as f:
        json.dump(result, f, indent=2)
    md = ["# Quantization sensitivity: %s (%s, %d calibration set%s)" % (
              os.path.basename(args.model), args.quantize, len(sets),
              "" if len(sets) == 1 else "s"), "",
          "Most sensitive first: each layer quantized alone.", "",
          "| layer | op | K x N | bits | SQNR dB | rel L2 | top-1 agreement |",
          "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        md.append("| %s | %s | %dx%d | %d | %.1f | %.2e | %s |" % (
            r["name"], r["op"], r["k"], r["n"], r["bits"], r["sqnr_db"],
            r["rel_l2"], "-" if r["top1_agreement"] is None
            else "%.2f %%" % r["top1_agreement"]))
    if skipped:
        md += ["", "Not quantizable:", ""]
        md += ["- %s (%s): %s" % (l["name"], l["op"], l["reason"])
               for l in skipped]
    text = "\n".join(md) + "\n"
    with open(args.output + ".md", "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
