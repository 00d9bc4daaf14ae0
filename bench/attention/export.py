#!/usr/bin/python3
"""Export the attention micro-benchmark models (ONNX, opset 14).

Usage: /usr/bin/python3 bench/attention/export.py OUTDIR SEQ [SEQ ...]

For each SEQ writes OUTDIR/attn_{full,causal}_SEQ/model.onnx with inputs
q, k, v of shape [1, 4, SEQ, 64] (batch 1, 4 heads, head dim 64) and
test_data_set_0/{input_0,input_1,input_2,output_0}.pb (PyTorch eager).
The graphs are what PyTorch exports for hand-written attention:
  full:   softmax(q @ k^T / sqrt(64)) @ v
  causal: softmax((q @ k^T * (1/sqrt(64))).masked_fill(tril == 0, -inf)) @ v
so ds sees the same subgraphs as in a real export (ds-fuse-attention fuses
them; --no-fuse-attention keeps them). Existing models are kept.
"""
import math
import os
import sys

import numpy as np
import torch
from onnx import numpy_helper

HEADS, DHEAD = 4, 64


class Full(torch.nn.Module):
    def forward(self, q, k, v):
        att = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        return torch.softmax(att, dim=-1) @ v


class Causal(torch.nn.Module):
    def __init__(self, seq):
        super().__init__()
        self.register_buffer("tril", torch.tril(torch.ones(seq, seq)))

    def forward(self, q, k, v):
        att = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(q.size(-1)))
        att = att.masked_fill(self.tril == 0, float("-inf"))
        return torch.softmax(att, dim=-1) @ v


def write_pb(path, array, name):
    t = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def export(outdir, kind, seq):
    mdir = os.path.join(outdir, "attn_%s_%d" % (kind, seq))
    path = os.path.join(mdir, "model.onnx")
    if os.path.exists(path):
        return
    ddir = os.path.join(mdir, "test_data_set_0")
    os.makedirs(ddir, exist_ok=True)
    gen = torch.Generator().manual_seed(seq)
    xs = [torch.randn(1, HEADS, seq, DHEAD, generator=gen) for _ in range(3)]
    model = Full() if kind == "full" else Causal(seq)
    with torch.no_grad():
        y = model(*xs)
        torch.onnx.export(model, tuple(xs), path, opset_version=14,
                          input_names=["q", "k", "v"], output_names=["out"],
                          do_constant_folding=True)
    for i, (name, x) in enumerate(zip("qkv", xs)):
        write_pb(os.path.join(ddir, "input_%d.pb" % i), x.numpy(), name)
    write_pb(os.path.join(ddir, "output_0.pb"), y.numpy(), "out")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    torch.manual_seed(0)
    for seq in map(int, sys.argv[2:]):
        for kind in ("full", "causal"):
            export(sys.argv[1], kind, seq)


if __name__ == "__main__":
    main()
