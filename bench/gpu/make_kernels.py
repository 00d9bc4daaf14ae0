#!/usr/bin/env python3
"""Writes the MLIR benchmark kernels of bench/gpu/run.sh.

  make_kernels.py gemm M N K OUT.mlir
  make_kernels.py attention SEQ HEADS DHEAD causal|full OUT.mlir

The kernels take no inputs: operands are generated on the device from their
indices (cheap elementwise kernels, a small part of the timed work), so
ds-run --bench times them without input files. bf16 operands; the GEMM
accumulates and returns fp32 (as the cuBLAS reference), attention is one
dsg.attention (fp32 softmax and accumulation, bf16 output, as
FlashAttention).
"""
import sys


def operand(name, shape, seed):
    """A bf16 tensor filled with small values from its indices."""
    rank = len(shape)
    dims = ", ".join(f"d{i}" for i in range(rank))
    ty = "x".join(str(s) for s in shape)
    iterators = ", ".join(['"parallel"'] * rank)
    lines = [f"  %{name}_e = tensor.empty() : tensor<{ty}xbf16>",
             f"  %{name} = linalg.generic {{indexing_maps = [affine_map<({dims}) -> ({dims})>], "
             f"iterator_types = [{iterators}]}} "
             f"outs(%{name}_e : tensor<{ty}xbf16>) {{",
             "  ^bb0(%o: bf16):"]
    acc = None
    for i in range(rank):
        lines.append(f"    %i{i} = linalg.index {i} : index")
        lines.append(f"    %c{i} = arith.index_cast %i{i} : index to i32")
        if acc is None:
            acc = f"%c{i}"
        else:
            lines.append(f"    %m{i} = arith.muli {acc}, %k31 : i32")
            lines.append(f"    %a{i} = arith.addi %m{i}, %c{i} : i32")
            acc = f"%a{i}"
    lines += [f"    %s = arith.remsi {acc}, %k97 : i32",
              "    %f = arith.sitofp %s : i32 to f32",
              "    %v = arith.mulf %f, %scale : f32",
              "    %b = arith.truncf %v : f32 to bf16",
              "    linalg.yield %b : bf16",
              f"  }} -> tensor<{ty}xbf16>"]
    return lines


def header():
    return ["  %k31 = arith.constant 31 : i32",
            "  %k97 = arith.constant 97 : i32",
            "  %scale = arith.constant 0.0078125 : f32",
            "  %zero = arith.constant 0.0 : f32"]


def gemm(m, n, k):
    body = header() + operand("A", [m, k], 0) + operand("B", [k, n], 1)
    body += [f"  %ce = tensor.empty() : tensor<{m}x{n}xf32>",
             f"  %cz = linalg.fill ins(%zero : f32) outs(%ce : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>",
             f"  %C = linalg.matmul ins(%A, %B : tensor<{m}x{k}xbf16>, tensor<{k}x{n}xbf16>) "
             f"outs(%cz : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>",
             f"  return %C : tensor<{m}x{n}xf32>"]
    return (f"func.func @main() -> (tensor<{m}x{n}xf32> {{ds.name = \"C\"}}) {{\n"
            + "\n".join(body) + "\n}\n")


def attention(seq, heads, d, causal):
    """dsg.attention on [1, heads, seq, d] bf16 operands: the CUDA pipeline
    runs it as one flash-attention kernel (docs/gpu.md)."""
    shape = f"1x{heads}x{seq}x{d}"
    body = header() + operand("Q", [1, heads, seq, d], 0) \
        + operand("K", [1, heads, seq, d], 1) + operand("V", [1, heads, seq, d], 2)
    scale = 1.0 / (d ** 0.5)
    attrs = f"scale = {scale:.8e} : f32" + (", causal = true" if causal else "")
    t = f"tensor<{shape}xbf16>"
    body += [f"  %O = dsg.attention %Q, %K, %V {{{attrs}}} : ({t}, {t}, {t}) -> {t}",
             f"  return %O : {t}"]
    return (f"func.func @main() -> ({t} {{ds.name = \"O\"}}) {{\n"
            + "\n".join(body) + "\n}\n")


def main(argv):
    if len(argv) == 6 and argv[1] == "gemm":
        text = gemm(int(argv[2]), int(argv[3]), int(argv[4]))
        out = argv[5]
    elif len(argv) == 7 and argv[1] == "attention" and argv[5] in ("causal", "full"):
        text = attention(int(argv[2]), int(argv[3]), int(argv[4]), argv[5] == "causal")
        out = argv[6]
    else:
        sys.exit(__doc__)
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv)
