#!/usr/bin/python3
"""Reference numerics for ds's dynamic quantization, computed with NumPy.

Usage: /usr/bin/python3 scripts/quant_reference.py OUTDIR

Writes OUTDIR/model.mlir (a dsg MatMul + bias with random weights, a
[2, 7, 256] input with an outlier row) and one ONNX test-data folder per
quantization setting, OUTDIR/<setting>/{input_0,output_0}.pb, whose output
is the exact dsq semantics: symmetric absmax weights (per output channel or
per group), activations quantized per token or per tensor with
round-half-to-even, integer accumulation, then rescale. ds must match these
to float rounding (the integer part is exact).

The dynamic-auto settings (activations=dynamic-auto, int4-max-ratio 3) use
their own inputs: `auto_int4` rows drawn uniformly (absmax/RMS about 1.7,
so every row may go 4-bit), `auto_int8` the same with one spike (one row's
absmax/RMS far above 3, so the tensor goes 8-bit).
"""
import os
import sys

import numpy as np
from onnx import numpy_helper

M, K, N = 7, 256, 40


def write_pb(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def quantize(a, qmax, group=None, per_row=True):
    """Symmetric absmax quantization of a's last dimension."""
    if group is not None:
        shape = a.shape
        g = a.reshape(shape[:-1] + (shape[-1] // group, group))
        q, s = quantize(g, qmax)
        return q.reshape(shape), np.repeat(s, group, axis=-1).reshape(shape)
    axis = -1 if per_row else None
    am = np.abs(a).max(axis=axis, keepdims=True)
    s = (am / qmax).astype(np.float32)
    inv = np.where(am > 0, qmax / np.where(am > 0, am, 1), 0).astype(np.float32)
    return np.clip(np.round(a * inv), -qmax, qmax), s


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    w = rng.standard_normal((K, N)).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    x = rng.standard_normal((2, M, K)).astype(np.float32)
    x[0, 2] *= 8.0  # an outlier token
    fmt = lambda a: "dense<" + np.array2string(
        a, separator=",", threshold=10**9, floatmode="unique").replace(
            "\n", "") + ">"
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(f"""func.func @main(%x: tensor<2x{M}x{K}xf32>) -> tensor<2x{M}x{N}xf32> {{
  %w = dsg.constant {fmt(w)} : tensor<{K}x{N}xf32>
  %b = dsg.constant {fmt(b)} : tensor<{N}xf32>
  %y = dsg.matmul %x, %w : (tensor<2x{M}x{K}xf32>, tensor<{K}x{N}xf32>) -> tensor<2x{M}x{N}xf32>
  %z = dsg.add %y, %b : (tensor<2x{M}x{N}xf32>, tensor<{N}xf32>) -> tensor<2x{M}x{N}xf32>
  return %z : tensor<2x{M}x{N}xf32>
}}
""")
    wt = w.T.astype(np.float64)
    settings = {
        "int8_token": (127, None, "token"),
        "int8_tensor": (127, None, "tensor"),
        "int8_weight_only": (127, None, None),
        "int4_g64_token": (7, 64, "token"),
        "int4_g128_weight_only": (7, 128, None),
    }
    flat = rng.uniform(-1, 1, (2, M, K)).astype(np.float32)
    spiky = flat.copy()
    spiky[1, 3, 5] = 40.0
    inputs = {"auto_int4": flat, "auto_int8": spiky}
    for name, xin in inputs.items():
        # ds-quantize's rule: 4 bits iff every row has absmax <= 3 * RMS.
        x64 = xin.astype(np.float64)
        excess = (np.abs(x64).max(-1) ** 2 - 9.0 * (x64 ** 2).mean(-1)).max()
        aq = 7 if excess <= 0 else 127
        assert (aq == 7) == (name == "auto_int4")
        q, s = quantize(wt, 127)
        xq, xs = quantize(x64, aq)
        y = ((xq @ q.T) * s.T * xs + b).astype(np.float32)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        write_pb(os.path.join(d, "input_0.pb"), xin, "input0")
        write_pb(os.path.join(d, "output_0.pb"), y, "output0")
    for name, (wq, group, act) in settings.items():
        if group is None:
            q, s = quantize(wt, wq)
        else:
            q, s = quantize(wt, wq, group=group)
        wdq = (q * s).T  # [K, N], dequantized
        if act is None:
            y = x.astype(np.float64) @ wdq
        else:
            xq, xs = quantize(x.astype(np.float64), 127, per_row=act == "token")
            if group is None:
                y = (xq @ q.T) * s.T * xs
            else:
                # integer sums per group, each rescaled by its weight scale
                y = np.zeros((2, M, N))
                for g in range(K // group):
                    sl = slice(g * group, (g + 1) * group)
                    y += (xq[..., sl] @ q[:, sl].T) * s[:, g * group]
                y *= xs
        y = (y + b).astype(np.float32)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        write_pb(os.path.join(d, "input_0.pb"), x, "input0")
        write_pb(os.path.join(d, "output_0.pb"), y, "output0")


if __name__ == "__main__":
    main()
