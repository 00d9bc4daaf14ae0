#!/usr/bin/python3
"""Models and NumPy references for the exact int8 folds of the ONNX importer.

Usage: /usr/bin/python3 scripts/quant_fold_reference.py OUTDIR

Writes OUTDIR/<name>.onnx and OUTDIR/<name>/{input_<i>,output_<i>}.pb for:

* `matmul`: MatMulInteger, int8 A [2, 5, 64] x constant int8 B [64, 24]
  (full int8 range, -128 included), no zero points: folds into
  dsq.qmatmul. A second output uses B's constant zero point [0, .., 3]
  and stays on the i32 path.
* `conv`: ConvInteger, int8 x [2, 6, 9, 9], constant int8 w [8, 6, 3, 3]
  (stride 2, pads 1) and a grouped w [6, 2, 3, 3] (group 3, dilation 2):
  fold into dsq.qconv. A third output with x's zero point 3 does not fold.

* `dequant`: DequantizeLinear'd int8 weights [64, 288] (zero point absent
  or 0) into MatMul (per column, axis 1) and Gemm with a bias (per tensor),
  and [8, 6, 3, 3] into Conv with a bias (per output channel): weight-only
  dsq.qmatmul / dsq.qconv.

The integer references are exact (int64 in NumPy, checked to fit int32), so
ds must match them bit for bit (--atol 0 --rtol 0). The float `dequant`
reference is float64 arithmetic on the dequantized f32 weights; ds sums in
f32 in its own order, so it matches to float rounding (1e-5).
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

I8, I32 = TensorProto.INT8, TensorProto.INT32


def write_pb(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def save(out, name, nodes, inputs, outputs, inits, elem=(I8, I32), opset=10):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, elem[0], v.shape)
         for k, v in inputs],
        [helper.make_tensor_value_info(k, elem[1], v.shape)
         for k, v in outputs],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    for i, (k, v) in enumerate(inputs):
        write_pb(os.path.join(d, "input_%d.pb" % i), v, k)
    for i, (k, v) in enumerate(outputs):
        if elem[1] == I32:
            assert np.abs(v).max() < 2**31
            v = v.astype(np.int32)
        else:
            v = v.astype(np.float32)
        write_pb(os.path.join(d, "output_%d.pb" % i), v, k)


def conv(x, w, stride, pad, dilation, group):
    """NCHW cross-correlation in int64 (integer operands) or float64."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    t = np.float64 if np.issubdtype(x.dtype, np.floating) else np.int64
    xp = np.pad(x.astype(t), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * pad - dilation * (kw - 1) - 1) // stride + 1
    y = np.zeros((n, f, oh, ow), t)
    fg = f // group
    for o in range(f):
        g = o // fg
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * dilation:i * dilation + stride * oh:stride,
                           j * dilation:j * dilation + stride * ow:stride]
                y[:, o] += np.einsum("nchw,c->nhw", patch,
                                     w[o, :, i, j].astype(t))
    return y


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    n = helper.make_node

    a = rng.integers(-128, 128, (2, 5, 64)).astype(np.int8)
    b = rng.integers(-128, 128, (64, 24)).astype(np.int8)
    a[0, 0, :] = -128
    b[:, 0] = -128
    bz = np.zeros(24, np.int8)
    bz[-1] = 3
    y0 = a.astype(np.int64) @ b.astype(np.int64)
    y1 = a.astype(np.int64) @ (b.astype(np.int64) - bz.astype(np.int64))
    save(out, "matmul",
         [n("MatMulInteger", ["a", "b"], ["folded"]),
          n("MatMulInteger", ["a", "b", "", "bz"], ["kept"])],
         [("a", a)], [("folded", y0), ("kept", y1)],
         [("b", b), ("bz", bz)])

    x = rng.integers(-128, 128, (2, 6, 9, 9)).astype(np.int8)
    w = rng.integers(-128, 128, (8, 6, 3, 3)).astype(np.int8)
    wg = rng.integers(-128, 128, (6, 2, 3, 3)).astype(np.int8)
    y0 = conv(x, w, 2, 1, 1, 1)
    y1 = conv(x, wg, 1, 1, 2, 3)
    y2 = conv(x.astype(np.int64) - 3, w, 2, 1, 1, 1)
    save(out, "conv",
         [n("ConvInteger", ["x", "w"], ["folded"], strides=[2, 2],
            pads=[1, 1, 1, 1]),
          n("ConvInteger", ["x", "wg"], ["grouped"], group=3,
            dilations=[2, 2], pads=[1, 1, 1, 1]),
          n("ConvInteger", ["x", "w", "xz"], ["kept"], strides=[2, 2],
            pads=[1, 1, 1, 1])],
         [("x", x)], [("folded", y0), ("grouped", y1), ("kept", y2)],
         [("w", w), ("wg", wg), ("xz", np.int8(3))])

    F = TensorProto.FLOAT
    xm = rng.standard_normal((3, 5, 64)).astype(np.float32)
    xg = rng.standard_normal((5, 64)).astype(np.float32)
    xc = rng.standard_normal((2, 6, 9, 9)).astype(np.float32)
    # 288 output channels: their scales (1152 bytes) are imported as a
    # resource blob, like a real model's.
    wm = rng.integers(-128, 128, (64, 288)).astype(np.int8)
    wc = rng.integers(-128, 128, (8, 6, 3, 3)).astype(np.int8)
    sm = (rng.random(288) * 0.01 + 0.001).astype(np.float32)
    sc = (rng.random(8) * 0.01 + 0.001).astype(np.float32)
    st = np.float32(0.0078125)
    c = rng.standard_normal(288).astype(np.float32)
    bc = rng.standard_normal(8).astype(np.float32)
    # DequantizeLinear in f32, as ONNX defines it; the products in float64.
    dm = (wm.astype(np.float32) * sm).astype(np.float64)
    dt = (wm.astype(np.float32) * st).astype(np.float64)
    dc = (wc.astype(np.float32) * sc[:, None, None, None]).astype(np.float64)
    y0 = xm.astype(np.float64) @ dm
    y1 = xg.astype(np.float64) @ dt + c
    y2 = conv(xc.astype(np.float64), dc, 2, 1, 1, 1) + bc[None, :, None, None]
    save(out, "dequant",
         [n("DequantizeLinear", ["wm", "sm"], ["dm"], axis=1),
          n("MatMul", ["xm", "dm"], ["matmul"]),
          n("DequantizeLinear", ["wm", "st", "z0"], ["dt"]),
          n("Gemm", ["xg", "dt", "c"], ["gemm"]),
          n("DequantizeLinear", ["wc", "sc"], ["dc"], axis=0),
          n("Conv", ["xc", "dc", "bc"], ["conv"], strides=[2, 2],
            pads=[1, 1, 1, 1])],
         [("xm", xm), ("xg", xg), ("xc", xc)],
         [("matmul", y0), ("gemm", y1), ("conv", y2)],
         [("wm", wm), ("wc", wc), ("sm", sm), ("st", st),
          ("z0", np.int8(0)), ("c", c), ("sc", sc), ("bc", bc)],
         elem=(F, F), opset=13)


if __name__ == "__main__":
    main()
