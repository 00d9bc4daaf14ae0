#!/usr/bin/env python3
"""Writes the MLIR benchmark kernels of bench/gpu/run.sh.

  make_kernels.py gemm M N K OUT.mlir
  make_kernels.py attention SEQ HEADS DHEAD causal|full OUT.mlir

The kernels take no inputs: operands are generated on the device from their
indices (cheap elementwise kernels, a small part of the timed work), so
ds-run --bench times them without input files. bf16 operands, fp32
accumulation and output, as in the cuBLAS and FlashAttention references.
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
    h, s = heads, seq
    qkv = f"{h}x{s}x{d}"
    body = header() + operand("Q", [h, s, d], 0) + operand("K", [h, s, d], 1) \
        + operand("V", [h, s, d], 2)
    scale = 1.0 / (d ** 0.5)
    body += [
        f"  %sc = arith.constant {scale:.8e} : f32",
        "  %ninf = arith.constant 0xFF800000 : f32",
        f"  %se = tensor.empty() : tensor<{h}x{s}x{s}xf32>",
        f"  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<{h}x{s}x{s}xf32>) -> tensor<{h}x{s}x{s}xf32>",
        # S = Q K^T (fp32 accumulation)
        "  %S = linalg.generic {indexing_maps = [affine_map<(h, i, j, k) -> (h, i, k)>, "
        "affine_map<(h, i, j, k) -> (h, j, k)>, affine_map<(h, i, j, k) -> (h, i, j)>], "
        "iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"reduction\"]} "
        f"ins(%Q, %K : tensor<{qkv}xbf16>, tensor<{qkv}xbf16>) outs(%sz : tensor<{h}x{s}x{s}xf32>) {{",
        "  ^bb0(%q: bf16, %kk: bf16, %acc: f32):",
        "    %qf = arith.extf %q : bf16 to f32",
        "    %kf = arith.extf %kk : bf16 to f32",
        "    %p = arith.mulf %qf, %kf : f32",
        "    %r = arith.addf %acc, %p : f32",
        "    linalg.yield %r : f32",
        f"  }} -> tensor<{h}x{s}x{s}xf32>",
        # scale + causal mask
        "  %M = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>], "
        "iterator_types = [\"parallel\", \"parallel\", \"parallel\"]} "
        f"outs(%S : tensor<{h}x{s}x{s}xf32>) {{",
        "  ^bb0(%x: f32):",
        "    %xs = arith.mulf %x, %sc : f32",
    ]
    if causal:
        body += ["    %i = linalg.index 1 : index",
                 "    %j = linalg.index 2 : index",
                 "    %future = arith.cmpi ugt, %j, %i : index",
                 "    %y = arith.select %future, %ninf, %xs : f32",
                 "    linalg.yield %y : f32"]
    else:
        body += ["    linalg.yield %xs : f32"]
    body += [
        f"  }} -> tensor<{h}x{s}x{s}xf32>",
        # row max, exp-sum, normalize
        f"  %re = tensor.empty() : tensor<{h}x{s}xf32>",
        f"  %rm0 = linalg.fill ins(%ninf : f32) outs(%re : tensor<{h}x{s}xf32>) -> tensor<{h}x{s}xf32>",
        "  %RM = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, "
        "affine_map<(h, i, j) -> (h, i)>], iterator_types = [\"parallel\", \"parallel\", \"reduction\"]} "
        f"ins(%M : tensor<{h}x{s}x{s}xf32>) outs(%rm0 : tensor<{h}x{s}xf32>) {{",
        "  ^bb0(%x: f32, %m: f32):",
        "    %mx = arith.maximumf %x, %m : f32",
        "    linalg.yield %mx : f32",
        f"  }} -> tensor<{h}x{s}xf32>",
        f"  %rs0 = linalg.fill ins(%zero : f32) outs(%re : tensor<{h}x{s}xf32>) -> tensor<{h}x{s}xf32>",
        "  %RS = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, "
        "affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i)>], "
        "iterator_types = [\"parallel\", \"parallel\", \"reduction\"]} "
        f"ins(%M, %RM : tensor<{h}x{s}x{s}xf32>, tensor<{h}x{s}xf32>) outs(%rs0 : tensor<{h}x{s}xf32>) {{",
        "  ^bb0(%x: f32, %m: f32, %a: f32):",
        "    %d0 = arith.subf %x, %m : f32",
        "    %e0 = math.exp %d0 : f32",
        "    %a1 = arith.addf %a, %e0 : f32",
        "    linalg.yield %a1 : f32",
        f"  }} -> tensor<{h}x{s}xf32>",
        f"  %pe = tensor.empty() : tensor<{h}x{s}x{s}xbf16>",
        "  %P = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, "
        "affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>], "
        "iterator_types = [\"parallel\", \"parallel\", \"parallel\"]} "
        f"ins(%M, %RM, %RS : tensor<{h}x{s}x{s}xf32>, tensor<{h}x{s}xf32>, tensor<{h}x{s}xf32>) "
        f"outs(%pe : tensor<{h}x{s}x{s}xbf16>) {{",
        "  ^bb0(%x: f32, %m: f32, %l: f32, %o: bf16):",
        "    %d1 = arith.subf %x, %m : f32",
        "    %e1 = math.exp %d1 : f32",
        "    %pr = arith.divf %e1, %l : f32",
        "    %pb = arith.truncf %pr : f32 to bf16",
        "    linalg.yield %pb : bf16",
        f"  }} -> tensor<{h}x{s}x{s}xbf16>",
        f"  %oe = tensor.empty() : tensor<{qkv}xf32>",
        f"  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<{qkv}xf32>) -> tensor<{qkv}xf32>",
        "  %O = linalg.generic {indexing_maps = [affine_map<(h, i, k, j) -> (h, i, j)>, "
        "affine_map<(h, i, k, j) -> (h, j, k)>, affine_map<(h, i, k, j) -> (h, i, k)>], "
        "iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"reduction\"]} "
        f"ins(%P, %V : tensor<{h}x{s}x{s}xbf16>, tensor<{qkv}xbf16>) outs(%oz : tensor<{qkv}xf32>) {{",
        "  ^bb0(%pp: bf16, %vv: bf16, %acc: f32):",
        "    %pf = arith.extf %pp : bf16 to f32",
        "    %vf = arith.extf %vv : bf16 to f32",
        "    %pv = arith.mulf %pf, %vf : f32",
        "    %r2 = arith.addf %acc, %pv : f32",
        "    linalg.yield %r2 : f32",
        f"  }} -> tensor<{qkv}xf32>",
        f"  return %O : tensor<{qkv}xf32>",
    ]
    return (f"func.func @main() -> (tensor<{qkv}xf32> {{ds.name = \"O\"}}) {{\n"
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
