#!/usr/bin/python3
"""Reference numerics for ds's quantized convolution (dsq.qconv), with NumPy.

Usage: /usr/bin/python3 scripts/quant_conv_reference.py OUTDIR

Writes OUTDIR/model.mlir (one dsg.conv with bias: [2, 32, 9, 9] input, 24
output channels, 3x3 kernel, stride 2, dilation 2, asymmetric padding) and
one ONNX test-data folder per setting, OUTDIR/<setting>/{input_0,output_0}.pb,
whose output is the exact dsq.qconv semantics: weights [F, C*KH*KW]
quantized symmetrically per output channel (int8) or per group of 32 along
C*KH*KW (int4), activations quantized per tensor with round-half-to-even
(or float: weight-only), integer sums per group, rescale, bias. ds must
match these to float rounding (the integer part is exact).
"""
import os
import sys

import numpy as np
from onnx import numpy_helper

N, C, H, W = 2, 32, 9, 9
F, KH, KW = 24, 3, 3
STRIDES, DILATIONS = (2, 2), (2, 2)
PADS = (1, 0, 2, 1)  # top, left, bottom, right
K = C * KH * KW


def write_pb(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def quantize(a, qmax, group=None):
    """Symmetric absmax quantization of each row of a (or of groups of it);
    a rank-0 `a.ndim == 0` style per-tensor call uses group=-1."""
    if group == -1:
        am = np.abs(a).max()
        inv = qmax / am if am > 0 else 0.0
        return np.clip(np.round(a * inv), -qmax, qmax), am / qmax
    if group is not None:
        g = a.reshape(a.shape[0], a.shape[1] // group, group)
        q, s = quantize(g.reshape(-1, group), qmax)
        return q.reshape(a.shape), s.reshape(a.shape[0], -1)
    am = np.abs(a).max(axis=-1, keepdims=True)
    inv = np.where(am > 0, qmax / np.where(am > 0, am, 1), 0)
    return np.clip(np.round(a * inv), -qmax, qmax), am / qmax


def patches(x, n=N):
    """[N, C, H, W] → [N*OH*OW, C*KH*KW] in (c, kh, kw) order, zero-padded."""
    xp = np.pad(x, ((0, 0), (0, 0), (PADS[0], PADS[2]), (PADS[1], PADS[3])))
    oh = (xp.shape[2] - DILATIONS[0] * (KH - 1) - 1) // STRIDES[0] + 1
    ow = (xp.shape[3] - DILATIONS[1] * (KW - 1) - 1) // STRIDES[1] + 1
    cols = np.zeros((n, oh, ow, C, KH, KW), dtype=x.dtype)
    for i in range(KH):
        for j in range(KW):
            hs, ws = i * DILATIONS[0], j * DILATIONS[1]
            cols[:, :, :, :, i, j] = xp[:, :, hs:hs + STRIDES[0] * oh:STRIDES[0],
                                        ws:ws + STRIDES[1] * ow:STRIDES[1]
                                        ].transpose(0, 2, 3, 1)
    return cols.reshape(n * oh * ow, K), oh, ow


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    w = rng.standard_normal((F, C, KH, KW)).astype(np.float32)
    b = rng.standard_normal(F).astype(np.float32)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    x[1, 3] *= 6.0  # one loud channel: per-tensor scaling has to cope
    fmt = lambda a: "dense<" + np.array2string(
        a, separator=",", threshold=10**9, floatmode="unique").replace(
            "\n", "") + ">"
    _, oh, ow = patches(x.astype(np.float64))
    # model.mlir: the batch of N images; model_n1.mlir: the first image
    # alone (with one image the int8 GEMM writes NCHW directly);
    # model_dynamic.mlir: a symbolic batch size.
    for fname, n in (("model.mlir", N), ("model_n1.mlir", 1),
                     ("model_dynamic.mlir", "?")):
        out_type = f"tensor<{n}x{F}x{oh}x{ow}xf32>"
        with open(os.path.join(out, fname), "w") as f:
            f.write(f"""func.func @main(%x: tensor<{n}x{C}x{H}x{W}xf32>) -> {out_type} {{
  %w = dsg.constant {fmt(w)} : tensor<{F}x{C}x{KH}x{KW}xf32>
  %b = dsg.constant {fmt(b)} : tensor<{F}xf32>
  %y = dsg.conv %x, %w, %b {{strides = array<i64: {STRIDES[0]}, {STRIDES[1]}>, pads = array<i64: {", ".join(map(str, PADS))}>, dilations = array<i64: {DILATIONS[0]}, {DILATIONS[1]}>}}
      : (tensor<{n}x{C}x{H}x{W}xf32>, tensor<{F}x{C}x{KH}x{KW}xf32>, tensor<{F}xf32>) -> {out_type}
  return %y : {out_type}
}}
""")
    wm = w.reshape(F, K).astype(np.float64)
    settings = {
        "int8": (127, None, True),
        "int8_weight_only": (127, None, False),
        "int4_g32": (7, 32, True),
        "int4_g32_weight_only": (7, 32, False),
        "float": (None, None, False),
    }
    for name, (wq, group, quantized_act) in settings.items():
        if wq is None:  # the float model: checks patches() itself
            q, s = wm, np.ones((F, 1))
        else:
            q, s = quantize(wm, wq, group)  # s: [F, groups]
        g = K // s.shape[1]
        if quantized_act:
            xq, xs = quantize(x.astype(np.float64), 127, group=-1)
            p, _, _ = patches(xq)
            y = np.zeros((p.shape[0], F))
            for j in range(s.shape[1]):
                sl = slice(j * g, (j + 1) * g)
                y += (p[:, sl] @ q[:, sl].T) * s[:, j]
            y *= xs
        else:
            p, _, _ = patches(x.astype(np.float64))
            y = p @ (q * np.repeat(s, g, axis=1)).T
        y = (y + b).reshape(N, oh, ow, F).transpose(0, 3, 1, 2)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        write_pb(os.path.join(d, "input_0.pb"), x, "input0")
        write_pb(os.path.join(d, "output_0.pb"), y.astype(np.float32),
                 "output0")
        if name == "int8":
            # The first image alone: per-tensor activation scales make its
            # reference differ from the batch's first slice.
            xq, xs = quantize(x[:1].astype(np.float64), 127, group=-1)
            p1 = patches(xq, 1)[0]
            y1 = (p1 @ q.T) * s.T * xs + b
            y1 = y1.reshape(1, oh, ow, F).transpose(0, 3, 1, 2)
            d = os.path.join(out, "int8_n1")
            os.makedirs(d, exist_ok=True)
            write_pb(os.path.join(d, "input_0.pb"), x[:1], "input0")
            write_pb(os.path.join(d, "output_0.pb"), y1.astype(np.float32),
                     "output0")

    grouped(out, rng, fmt)


def grouped(out, rng, fmt):
    """model_grouped.mlir: a dsq.qconv with group = 2 written directly (ds-
    quantize leaves grouped convolutions float), int8 activations per
    tensor and int8 weights per output channel; reference in grouped/."""
    n, c, h, w_, f, kh, kw, g = 1, 4, 6, 7, 6, 3, 2, 2
    cg, fg = c // g, f // g
    k = cg * kh * kw
    x = rng.standard_normal((n, c, h, w_)).astype(np.float32)
    w = rng.standard_normal((f, k))
    b = rng.standard_normal(f).astype(np.float32)
    q, s = quantize(w, 127)
    xq, xs = quantize(x.astype(np.float64), 127, group=-1)
    xp = np.pad(xq, ((0, 0), (0, 0), (1, 1), (0, 1)))  # pads [1, 0, 1, 1]
    oh, ow = xp.shape[2] - kh + 1, xp.shape[3] - kw + 1
    y = np.zeros((n, f, oh, ow))
    for gi in range(g):
        for o in range(fg):
            fo = gi * fg + o
            wf = q[fo].reshape(cg, kh, kw)
            for i in range(oh):
                for j in range(ow):
                    patch = xp[:, gi * cg:(gi + 1) * cg, i:i + kh, j:j + kw]
                    y[:, fo, i, j] = (patch * wf).sum(axis=(1, 2, 3))
    y = y * s.reshape(1, f, 1, 1) * xs + b.reshape(1, f, 1, 1)
    xt, yt = f"tensor<{n}x{c}x{h}x{w_}xf32>", f"tensor<{n}x{f}x{oh}x{ow}xf32>"
    with open(os.path.join(out, "model_grouped.mlir"), "w") as fh:
        fh.write(f"""func.func @main(%x: {xt}) -> {yt} {{
  %w, %ws = dsq.weight {{bits = 8 : i64, group_size = {k} : i64,
      values = {fmt(q.astype(np.int8))} : tensor<{f}x{k}xi8>,
      scales = {fmt(s.astype(np.float32))} : tensor<{f}x1xf32>}}
      : tensor<{f}x{k}xi8>, tensor<{f}x1xf32>
  %b = dsg.constant {fmt(b)} : tensor<{f}xf32>
  %q, %qs = dsq.dynamic_quantize %x {{bits = 8 : i64, granularity = 0 : i32}}
      : {xt} -> tensor<{n}x{c}x{h}x{w_}xi8>, tensor<f32>
  %y = dsq.qconv %q scale %qs, %w scale %ws bias %b {{bits = 8 : i64,
      group = {g} : i64, kernel_shape = array<i64: {kh}, {kw}>,
      strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>,
      dilations = array<i64: 1, 1>}}
      : (tensor<{n}x{c}x{h}x{w_}xi8>, tensor<f32>, tensor<{f}x{k}xi8>,
         tensor<{f}x1xf32>, tensor<{f}xf32>) -> {yt}
  return %y : {yt}
}}
""")
    d = os.path.join(out, "grouped")
    os.makedirs(d, exist_ok=True)
    write_pb(os.path.join(d, "input_0.pb"), x, "input0")
    write_pb(os.path.join(d, "output_0.pb"), y.astype(np.float32), "output0")


if __name__ == "__main__":
    main()
