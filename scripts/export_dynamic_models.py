#!/usr/bin/python3
"""Export ds test models with symbolic (dynamic) dimensions.

Usage:
  /usr/bin/python3 scripts/export_dynamic_models.py OUTDIR [--only NAME ...]

For each model NAME this writes
  OUTDIR/NAME/model.onnx              one export with symbolic dims
  OUTDIR/NAME/test_data_set_K/...     inputs and PyTorch eager outputs, one
                                      folder per concrete size (K = 0, 1, 2)
in the ONNX backend-test layout, so that one compiled artifact can be run on
each folder in turn (test/e2e/dynamic-shapes.test).

Models (modules from scripts/export_models.py, exported with dynamic_axes):
  mlp_dyn        MLP, input [batch, 784], batch 1, 3, 8
  cnn_dyn        SmallCNN (Conv, BatchNorm, MaxPool, GlobalAveragePool,
                 Flatten, Gemm), input [batch, 3, 32, 32], batch 1, 3, 8
  bert_dyn       BERT-style layer, inputs [batch, seq, 64] and [batch, seq];
                 (batch, seq) = (1, 16), (3, 16), (8, 16): dynamic batch only
  bert_dyn_seq   the same layer with a dynamic sequence length too:
                 (batch, seq) = (1, 8), (3, 16), (1, 32), (3, 5)

Needs Debian's python (torch 1.13, onnx, numpy): /usr/bin/python3.
"""

import argparse
import collections
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402

OPSET = 14


def mlp_inputs(gen, sizes):
    (b,) = sizes
    return collections.OrderedDict([("input", torch.randn(b, 784,
                                                          generator=gen))])


def cnn_inputs(gen, sizes):
    (b,) = sizes
    return collections.OrderedDict([("input", torch.randn(b, 3, 32, 32,
                                                          generator=gen))])


def bert_inputs(gen, sizes):
    b, t = sizes
    hidden = torch.randn(b, t, 64, generator=gen)
    mask = torch.ones(b, t)
    # Pad the tail of every other row, so the additive mask matters.
    for r in range(1, b, 2):
        mask[r, max(1, t - 3 - r % 4):] = 0.0
    return collections.OrderedDict([("hidden_states", hidden),
                                    ("attention_mask", mask)])


def build_mlp():
    return em.MLP()


def build_cnn():
    m = em.SmallCNN()
    em._randomize_bn(m, torch.Generator().manual_seed(em.SEED + 1))
    return m


def build_bert():
    m = em.BertLayer()
    em._randomize_ln(m, torch.Generator().manual_seed(em.SEED + 8))
    return m


# name -> (builder, inputs(gen, sizes), [sizes per data set], dynamic_axes,
#          export options)
MODELS = collections.OrderedDict([
    ("mlp_dyn", (build_mlp, mlp_inputs, [(1,), (3,), (8,)],
                 {"input": {0: "batch"}, "output": {0: "batch"}},
                 dict(do_constant_folding=True))),
    ("cnn_dyn", (build_cnn, cnn_inputs, [(1,), (3,), (8,)],
                 {"input": {0: "batch"}, "output": {0: "batch"}},
                 dict(do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE))),
    ("bert_dyn", (build_bert, bert_inputs, [(1, 16), (3, 16), (8, 16)],
                  {"hidden_states": {0: "batch"},
                   "attention_mask": {0: "batch"},
                   "output": {0: "batch"}},
                  dict(do_constant_folding=True))),
    ("bert_dyn_seq", (build_bert, bert_inputs,
                      [(1, 8), (3, 16), (1, 32), (3, 5)],
                      {"hidden_states": {0: "batch", 1: "seq"},
                       "attention_mask": {0: "batch", 1: "seq"},
                       "output": {0: "batch", 1: "seq"}},
                      dict(do_constant_folding=True))),
])


def export_one(name, outdir):
    builder, make_inputs, sizes, axes, opts = MODELS[name]
    torch.manual_seed(em.SEED)
    model = builder()
    model.eval()
    gen = torch.Generator().manual_seed(em.SEED + 100)
    sets = [make_inputs(gen, s) for s in sizes]

    mdir = os.path.join(outdir, name)
    os.makedirs(mdir, exist_ok=True)
    path = os.path.join(mdir, "model.onnx")
    example = tuple(sets[-1].values())
    with torch.no_grad():
        torch.onnx.export(model, example, path, export_params=True,
                          opset_version=OPSET, input_names=list(sets[0]),
                          output_names=["output"], dynamic_axes=axes, **opts)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    # The export must really be symbolic in the named axes.
    for vi in list(proto.graph.input) + list(proto.graph.output):
        for axis, sym in axes.get(vi.name, {}).items():
            dim = vi.type.tensor_type.shape.dim[axis]
            assert dim.dim_param and not dim.HasField("dim_value"), (
                name, vi.name, axis, dim)

    for k, inputs in enumerate(sets):
        ddir = os.path.join(mdir, "test_data_set_%d" % k)
        os.makedirs(ddir, exist_ok=True)
        with torch.no_grad():
            y = model(*inputs.values()).detach()
        for i, (iname, x) in enumerate(inputs.items()):
            em.write_pb(os.path.join(ddir, "input_%d.pb" % i), x.numpy(),
                        iname)
        em.write_pb(os.path.join(ddir, "output_0.pb"), y.numpy(), "output")
        print("[%s] test_data_set_%d: %s -> %s" % (
            name, k, " ".join("%s%s" % (n, list(x.shape))
                              for n, x in inputs.items()), list(y.shape)))
    hist = em.op_histogram(proto)
    print("[%s] ops: %s" % (name, ", ".join(
        "%s=%d" % kv for kv in sorted(hist.items()))))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=list(MODELS))
    args = ap.parse_args(argv)
    torch.use_deterministic_algorithms(True)
    for name in args.only or list(MODELS):
        export_one(name, args.outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
