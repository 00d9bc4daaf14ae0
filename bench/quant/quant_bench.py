#!/usr/bin/python3
"""fp32 vs int8 vs int4 in ds, beside ONNX Runtime's dynamic quantization.

Usage:
  /usr/bin/python3 bench/quant/quant_bench.py OUTDIR --ds-run PATH
      [--models mlp gpt bert_layer] [--iters N] [--threads 1 2]

For each model: exports it (mlp here: 128 tokens through 768 -> 3072 -> 768
-> 768 Linear layers; bert768 and gpt768 here: one BERT-base-sized layer,
d = 768, 12 heads, FFN 3072, GELU, post-LayerNorm, on 128 tokens, gpt768
with a causal mask; the small gpt and bert_layer, d = 64, from
scripts/export_models.py; the CNNs cnn, resnet18 and mobilenet_v2 from
there too: their convolutions are dsq.qconv in ds),
writes ONNX Runtime's dynamic-quantized form of it (each MatMul/Gemm with a
constant weight becomes DynamicQuantizeLinear + MatMulInteger with int8
per-column weights, then the float rescale; each group-1 Conv with constant
weights DynamicQuantizeLinear + ConvInteger with per-output-channel int8
weights; what onnxruntime's quantize_dynamic produces), and times:
  ds fp32 (the runtime's packed fp32 GEMM), ds int8 (dynamic per token:
  the runtime's int8 kernels, AMX or VNNI), ds int4 (group 128, per
  token), ORT fp32 and ORT int8 (dynamic),
each with T threads for every T of --threads (ds-run --num-threads T, ORT
intraOpNumThreads = T). Prints one line per model and thread count with
the times (median/min ms), the ratios (from medians / from minima)
ds_int8_speedup = ds fp32 / ds int8, ds_int4_speedup = ds fp32 / ds int4,
ort_int8_speedup = ORT fp32 / ORT int8 and ort_int8_over_ds_int8 = ORT int8
/ ds int8 (above 1: ds is faster), weight bytes and each quantized output's
SQNR against its own float output. Never asserts.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def export_mlp(outdir):
    import torch
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(768, 3072), torch.nn.ReLU(),
                            torch.nn.Linear(3072, 768), torch.nn.ReLU(),
                            torch.nn.Linear(768, 768)).eval()
    x = torch.randn(1, 128, 768)
    d = os.path.join(outdir, "mlp")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    torch.onnx.export(m, (x,), os.path.join(d, "model.onnx"),
                      input_names=["x"], output_names=["y"], opset_version=14)
    from onnx import numpy_helper
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    return d


class _Layer(object):
    """A BERT-base-sized encoder layer (gpt768: with a causal mask)."""

    @staticmethod
    def make(causal):
        import torch

        class Layer(torch.nn.Module):
            def __init__(self, d=768, heads=12, ff=3072):
                super().__init__()
                self.h, self.dh = heads, d // heads
                self.q = torch.nn.Linear(d, d)
                self.k = torch.nn.Linear(d, d)
                self.v = torch.nn.Linear(d, d)
                self.o = torch.nn.Linear(d, d)
                self.ln1 = torch.nn.LayerNorm(d)
                self.ln2 = torch.nn.LayerNorm(d)
                self.up = torch.nn.Linear(d, ff)
                self.down = torch.nn.Linear(ff, d)

            def forward(self, x):
                b, t, d = x.shape
                split = lambda y: y.reshape(b, t, self.h, self.dh).transpose(1, 2)
                q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
                s = q @ k.transpose(-1, -2) / self.dh ** 0.5
                if causal:
                    mask = torch.triu(torch.full((t, t), float("-inf")), 1)
                    s = s + mask
                a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, t, d)
                x = self.ln1(x + self.o(a))
                return self.ln2(x + self.down(torch.nn.functional.gelu(self.up(x))))

        return Layer()


def export_layer(name, outdir):
    """bert768 / gpt768: one d=768, 12-head, 3072-wide layer on 128 tokens."""
    import torch
    torch.manual_seed(0)
    m = _Layer.make(causal=name == "gpt768").eval()
    x = torch.randn(1, 128, 768)
    d = os.path.join(outdir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    torch.onnx.export(m, (x,), os.path.join(d, "model.onnx"),
                      input_names=["x"], output_names=["y"], opset_version=14)
    from onnx import numpy_helper
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    return d


def export_zoo(name, outdir):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts",
                                                 "export_models.py"),
                    outdir, "--only", name], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(outdir, name)


def ort_dynamic_quantize(src, dst):
    """DynamicQuantizeLinear + MatMulInteger for every constant-weight MatMul."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    model = onnx.load(src)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    nodes = []
    count = 0
    for node in g.node:
        if node.op_type == "Conv":
            conv = conv_integer(node, inits, "q%d_" % count, g)
            if conv is None:
                nodes.append(node)
            else:
                nodes += conv
                count += 1
            continue
        w = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2:
            nodes.append(node)
            continue
        wf = numpy_helper.to_array(w).astype(np.float32)  # [K, N]
        scale = np.abs(wf).max(axis=0) / 127.0
        scale[scale == 0] = 1.0
        wq = np.clip(np.round(wf / scale), -127, 127).astype(np.int8)
        p = "q%d_" % count
        count += 1
        g.initializer.extend([
            numpy_helper.from_array(wq, p + "w"),
            numpy_helper.from_array(scale.astype(np.float32), p + "ws"),
            numpy_helper.from_array(np.zeros(wf.shape[1], np.int8), p + "wzp")])
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [node.input[0]],
                             [p + "a", p + "as", p + "azp"]),
            helper.make_node("MatMulInteger",
                             [p + "a", p + "w", p + "azp", p + "wzp"],
                             [p + "acc"]),
            helper.make_node("Cast", [p + "acc"], [p + "accf"],
                             to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "as", p + "ws"], [p + "s"]),
            helper.make_node("Mul", [p + "accf", p + "s"], [node.output[0]]),
        ]
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.save(model, dst)
    return count


def conv_integer(node, inits, p, g):
    """DynamicQuantizeLinear + ConvInteger for a Conv with constant weights
    and group 1 (quantize_dynamic's form): int8 per-output-channel weights,
    stored as uint8 with zero point 128 (ONNX Runtime's ConvInteger takes a
    scalar weight zero point), then the float rescale and the bias."""
    from onnx import helper, numpy_helper, TensorProto
    w = inits.get(node.input[1])
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if w is None or len(w.dims) != 4 or attrs.get("group", 1) != 1:
        return None
    wf = numpy_helper.to_array(w).astype(np.float32)  # [F, C, KH, KW]
    scale = np.abs(wf).reshape(wf.shape[0], -1).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    wq = np.clip(np.round(wf / scale[:, None, None, None]), -127, 127)
    g.initializer.extend([
        numpy_helper.from_array((wq + 128).astype(np.uint8), p + "w"),
        numpy_helper.from_array(np.array(128, np.uint8), p + "wzp"),
        numpy_helper.from_array(scale.reshape(1, -1, 1, 1).astype(np.float32),
                                p + "ws")])
    out = node.output[0]
    nodes = [
        helper.make_node("DynamicQuantizeLinear", [node.input[0]],
                         [p + "a", p + "as", p + "azp"]),
        helper.make_node("ConvInteger", [p + "a", p + "w", p + "azp", p + "wzp"],
                         [p + "acc"], **attrs),
        helper.make_node("Cast", [p + "acc"], [p + "accf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", [p + "as", p + "ws"], [p + "s"]),
        helper.make_node("Mul", [p + "accf", p + "s"],
                         [p + "y" if len(node.input) > 2 else out]),
    ]
    if len(node.input) > 2 and node.input[2]:
        b = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
        g.initializer.append(numpy_helper.from_array(b.reshape(1, -1, 1, 1),
                                                     p + "b"))
        nodes.append(helper.make_node("Add", [p + "y", p + "b"], [out]))
    return nodes


def inputs_of(d):
    import onnx
    args = []
    td = os.path.join(d, "test_data_set_0")
    for f in sorted(os.listdir(td)):
        if f.startswith("input_"):
            t = onnx.TensorProto()
            with open(os.path.join(td, f), "rb") as fh:
                t.ParseFromString(fh.read())
            args += ["--input", "%s=%s" % (t.name, os.path.join(td, f))]
    return args


def run_ds(ds_run, d, setting, iters, threads):
    tag = setting.split()[0].replace("=", "_") if setting else "float"
    out = os.path.join(d, "bench_" + tag)
    cmd = [ds_run, os.path.join(d, "model.onnx")] + inputs_of(d) + [
        "--output-dir", out, "--bench", str(iters),
        "--num-threads", str(threads)]
    report = None
    if setting:
        report = os.path.join(d, "bench_report_%s.json" % tag)
        cmd += ["--quantize", setting + " report=" + report]
    text = subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout
    median = float(text.split("median_ms=")[1].split()[0])
    best = float(text.split("min_ms=")[1].split()[0])
    from onnx import numpy_helper
    import onnx
    t = onnx.TensorProto()
    with open(os.path.join(out, "output_0.pb"), "rb") as f:
        t.ParseFromString(f.read())
    rep = json.load(open(report)) if report else None
    return (median, best), numpy_helper.to_array(t), rep


def run_ort(model, d, iters, threads):
    cmd = ["node", os.path.join(ROOT, "bench", "ort_bench.js"), model,
           "--iters", str(iters), "--threads", str(threads),
           "--test-data", os.path.join(d, "test_data_set_0")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return (float(r.stdout.split("median_ms=")[1].split()[0]),
            float(r.stdout.split("min_ms=")[1].split()[0]))


def sqnr(ref, got):
    n = np.sum((ref.astype(np.float64) - got) ** 2)
    return float("inf") if n == 0 else 10 * np.log10(
        np.sum(ref.astype(np.float64) ** 2) / n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--ds-run", required=True)
    ap.add_argument("--models", nargs="+",
                    default=["mlp", "bert768", "gpt768", "gpt", "bert_layer"])
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for name in args.models:
        if name == "mlp":
            d = export_mlp(args.outdir)
        elif name in ("bert768", "gpt768"):
            d = export_layer(name, args.outdir)
        else:
            d = export_zoo(name, args.outdir)
        qmodel = os.path.join(d, "model_ort_dynamic_int8.onnx")
        ort_dynamic_quantize(os.path.join(d, "model.onnx"), qmodel)
        for threads in args.threads:
            f32, ref, _ = run_ds(args.ds_run, d, None, args.iters, threads)
            i8, out8, rep8 = run_ds(args.ds_run, d, "weights=int8",
                                    args.iters, threads)
            i4, out4, rep4 = run_ds(args.ds_run, d, "weights=int4 group=128",
                                    args.iters, threads)
            ort32 = run_ort(os.path.join(d, "model.onnx"), d, args.iters,
                            threads)
            ort8 = run_ort(qmodel, d, args.iters, threads)
            fmt = lambda v: "n/a" if v is None else "%.3f/%.3f" % v
            ratio = lambda a, b, i: ("n/a" if a is None or b is None
                                     else "%.2f" % (a[i] / b[i]))
            wr = lambda r: (r["quantized_bytes"] + r["float_bytes_left"]) / max(
                1, r["quantized_float_bytes"] + r["float_bytes_left"])
            # Times are median/min in ms; ratios from medians, then minima.
            print("quant-bench model=%s threads=%d ds_fp32_ms=%s "
                  "ds_int8_ms=%s ds_int4_ms=%s ort_fp32_ms=%s ort_int8_ms=%s "
                  "ds_int8_speedup=%s/%s ds_int4_speedup=%s/%s "
                  "ort_int8_speedup=%s/%s ort_int8_over_ds_int8=%s/%s "
                  "int8_weight_ratio=%.4f int4_weight_ratio=%.4f "
                  "int8_sqnr_db=%.1f int4_sqnr_db=%.1f" % (
                      name, threads, fmt(f32), fmt(i8), fmt(i4), fmt(ort32),
                      fmt(ort8),
                      ratio(f32, i8, 0), ratio(f32, i8, 1),
                      ratio(f32, i4, 0), ratio(f32, i4, 1),
                      ratio(ort32, ort8, 0), ratio(ort32, ort8, 1),
                      ratio(ort8, i8, 0), ratio(ort8, i8, 1),
                      wr(rep8), wr(rep4), sqnr(ref, out8), sqnr(ref, out4)),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
