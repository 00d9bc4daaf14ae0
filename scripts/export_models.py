#!/usr/bin/python3
"""Export the ds test/benchmark models to ONNX with reference data.

Usage:
  /usr/bin/python3 scripts/export_models.py OUTDIR [--only NAME ...]
                                               [--bench-torch N] [--threads T]

For each model NAME this writes
  OUTDIR/NAME/model.onnx
  OUTDIR/NAME/test_data_set_0/input_0.pb ... output_0.pb
(the ONNX model-zoo / onnx backend-test layout; tensor names are the graph
input/output names), with outputs computed by PyTorch eager.

Everything is deterministic: fixed seeds, eval mode, single-process export.
The op histogram of each exported model is printed and checked against the
op set that ds supports; the script fails loudly on any other op.

--bench-torch N: after exporting (or finding) a model, time PyTorch eager on
the same module (torch.set_num_threads(T), T = --threads, default 2) and
print one machine-readable line per model:
  torch median_ms=X min_ms=Y model=NAME
(With --bench-torch, models whose model.onnx already exists are not
re-exported; the module is rebuilt from the same seed, so it is identical.)

Needs Debian's python (torch, torchvision, onnx, numpy): call it with
/usr/bin/python3 explicitly.
"""

import argparse
import collections
import os
import statistics
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

SEED = 20240601
OPSET = 14

ALLOWED_OPS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt",
    "Relu", "Sigmoid", "Tanh", "Erf", "Exp", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Softmax",
    "Constant", "Identity", "Concat", "BatchNormalization",
    "LayerNormalization", "Gather", "Unsqueeze", "Squeeze", "Cast", "Where",
    "ReduceMean",
}


# --------------------------------------------------------------------------
# Model definitions
# --------------------------------------------------------------------------

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=1, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool2 = nn.AdaptiveAvgPool2d(1)  # exports GlobalAveragePool
        self.fc = nn.Linear(32, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.pool1(self.relu(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc(x)


class MLPGelu(nn.Module):
    """MLP exercising GELU (Erf), LayerNorm, Tanh, Sigmoid, Softmax."""

    def __init__(self, d_in=32, hidden=64, d_out=16):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.ln1 = nn.LayerNorm(hidden)
        self.gelu = nn.GELU()
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)
        self.fc4 = nn.Linear(hidden, d_out)

    def forward(self, x):
        h = self.gelu(self.ln1(self.fc1(x)))
        h = torch.tanh(self.fc2(h)) * torch.sigmoid(self.fc3(h))  # gated
        h = self.ln2(h)
        return torch.softmax(self.fc4(h), dim=-1)


def _randomize_bn(model, gen):
    """Give BatchNorm non-trivial running stats and affine params so the
    reference data actually exercises inference-mode BN."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def build_mlp():
    return MLP(), (4, 784)


def build_cnn():
    m = SmallCNN()
    _randomize_bn(m, torch.Generator().manual_seed(SEED + 1))
    return m, (2, 3, 32, 32)


def build_resnet18():
    import torchvision
    m = torchvision.models.resnet18(weights=None)
    _randomize_bn(m, torch.Generator().manual_seed(SEED + 2))
    return m, (1, 3, 224, 224)


def build_mlp_gelu():
    m = MLPGelu()
    # Non-trivial LayerNorm affine params (also keeps the exporter from
    # deduplicating identical ln1/ln2 initializers into Identity nodes).
    gen = torch.Generator().manual_seed(SEED + 3)
    for ln in (m.ln1, m.ln2):
        with torch.no_grad():
            ln.weight.copy_(torch.rand(ln.weight.shape, generator=gen) + 0.5)
            ln.bias.copy_(torch.randn(ln.bias.shape, generator=gen) * 0.1)
    return m, (2, 32)


# name -> (builder, export options)
MODELS = collections.OrderedDict([
    ("mlp", (build_mlp, dict(do_constant_folding=True))),
    # Keep BatchNormalization as its own node: no constant folding, and
    # TrainingMode.PRESERVE so the exporter's eval-mode peephole does not
    # fuse Conv+BN (the module itself is in eval mode, so BN is exported in
    # inference form, training_mode=0).
    ("cnn", (build_cnn, dict(do_constant_folding=False,
                             training=torch.onnx.TrainingMode.PRESERVE),
             {"Conv", "BatchNormalization", "Relu", "MaxPool",
              "GlobalAveragePool", "Flatten", "Gemm"})),
    ("resnet18", (build_resnet18, dict(do_constant_folding=True))),
    ("mlp_gelu", (build_mlp_gelu, dict(do_constant_folding=True),
                  {"Erf", "Div", "Mul", "Add", "Softmax", "Tanh", "Sigmoid"})),
])


def make_model(name):
    """Deterministically build (module in eval mode, example input)."""
    entry = MODELS[name]
    builder = entry[0]
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    model, shape = builder()
    model.eval()
    gen = torch.Generator().manual_seed(SEED + 100)
    x = torch.randn(*shape, generator=gen, dtype=torch.float32)
    return model, x


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

def op_histogram(model_proto):
    hist = collections.Counter()

    def walk(graph):
        for node in graph.node:
            key = node.op_type if node.domain in ("", "ai.onnx") \
                else "%s::%s" % (node.domain, node.op_type)
            hist[key] += 1
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    walk(attr.g)
                elif attr.type == onnx.AttributeProto.GRAPHS:
                    for g in attr.graphs:
                        walk(g)

    walk(model_proto.graph)
    return hist


def write_pb(path, array, name):
    t = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def export_one(name, outdir):
    entry = MODELS[name]
    opts = dict(entry[1])
    required = entry[2] if len(entry) > 2 else set()
    model, x = make_model(name)

    mdir = os.path.join(outdir, name)
    ddir = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ddir, exist_ok=True)
    path = os.path.join(mdir, "model.onnx")

    with torch.no_grad():
        y = model(x)
        torch.onnx.export(
            model, (x,), path,
            export_params=True,
            opset_version=OPSET,
            input_names=["input"],
            output_names=["output"],
            **opts)

    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    in_names = [i.name for i in proto.graph.input
                if i.name not in {init.name for init in proto.graph.initializer}]
    out_names = [o.name for o in proto.graph.output]
    assert len(in_names) == 1 and len(out_names) == 1, (in_names, out_names)
    write_pb(os.path.join(ddir, "input_0.pb"), x.numpy(), in_names[0])
    write_pb(os.path.join(ddir, "output_0.pb"), y.numpy(), out_names[0])

    hist = op_histogram(proto)
    size_mb = os.path.getsize(path) / 1e6
    print("[%s] %s (%.1f MB, opset %d) input %s %s -> output %s %s" % (
        name, path, size_mb, OPSET, in_names[0], list(x.shape),
        out_names[0], list(y.shape)))
    print("[%s] ops: %s" % (name, ", ".join(
        "%s=%d" % kv for kv in sorted(hist.items()))))

    bad = sorted(set(hist) - ALLOWED_OPS)
    if bad:
        raise SystemExit("ERROR: model %s uses ops outside the supported set: %s"
                         % (name, ", ".join(bad)))
    missing = sorted(required - set(hist))
    if missing:
        raise SystemExit("ERROR: model %s lacks expected ops: %s"
                         % (name, ", ".join(missing)))
    return model, x


# --------------------------------------------------------------------------
# Torch eager timing (peer baseline)
# --------------------------------------------------------------------------

def bench_torch(name, model, x, iters, threads):
    torch.set_num_threads(threads)
    warmup = max(3, min(10, iters // 5))
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        for _ in range(iters):
            t0 = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t0) * 1e3)
    print("torch median_ms=%.4f min_ms=%.4f model=%s" % (
        statistics.median(times), min(times), name), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=list(MODELS),
                    help="export only these models (default: all)")
    ap.add_argument("--bench-torch", type=int, default=0, metavar="N",
                    help="time PyTorch eager with N iterations per model")
    ap.add_argument("--threads", type=int, default=2,
                    help="torch intra-op threads for --bench-torch (default 2)")
    args = ap.parse_args(argv)

    torch.use_deterministic_algorithms(True)
    names = args.only or list(MODELS)
    os.makedirs(args.outdir, exist_ok=True)
    for name in names:
        t0 = time.time()
        onnx_path = os.path.join(args.outdir, name, "model.onnx")
        if args.bench_torch and os.path.exists(onnx_path):
            model, x = make_model(name)
        else:
            # Export uses the default thread count; keep it fast.
            model, x = export_one(name, args.outdir)
            print("[%s] exported in %.1fs" % (name, time.time() - t0),
                  file=sys.stderr)
        if args.bench_torch:
            bench_torch(name, model, x, args.bench_torch, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
