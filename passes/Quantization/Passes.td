//===- Passes.td - ds quantization passes ------------------*- tablegen -*-===//
#ifndef DS_QUANTIZATION_PASSES
#define DS_QUANTIZATION_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Quantization of dsg graphs
//===----------------------------------------------------------------------===//

def Quantize : Pass<"ds-quantize", "ModuleOp"> {
  let summary = "Quantize the weights of matrix products at compile time, "
                "their activations at run time";
  let description = [{
    Rewrites `dsg.matmul` and `dsg.gemm` whose right-hand side is a constant
    `[K, N]` (or `[N, K]` with `trans_b`) f32 matrix into `dsq` ops: the
    weights become a `dsq.weight` (symmetric, per output channel for int8,
    per group of `group` elements along K for int4), and the activations
    are quantized when the program runs (`dsq.dynamic_quantize`, per token
    or per tensor) or stay float (`activations=none`: weight-only
    quantization). A constant `[N]` bias (Gemm's C, or the `dsg.add` that
    follows a MatMul) moves into the `dsq.qmatmul`.

    `activations=target` (the default) chooses per-token int8 activations
    where the host CPU has an 8-bit integer dot product (AVX-512 VNNI or
    AVX-VNNI), and weight-only quantization elsewhere.

    A product that cannot be quantized (a non-constant weight, a
    transposed A, a reduction size that `group` does not divide under
    int4, a non-f32 type) stays float; `report=FILE` writes a JSON record
    of every candidate with its decision, reason and weight bytes.
  }];
  let options = [
    Option<"weights", "weights", "std::string", "\"int8\"",
           "Weight storage: int8 (per output channel) or int4 (per group)">,
    Option<"groupSize", "group", "int64_t", "128",
           "Group size along K for int4 weights: 32, 64 or 128">,
    Option<"activations", "activations", "std::string", "\"target\"",
           "dynamic-per-token, dynamic-per-tensor, none (weight-only) or "
           "target (per-token where the CPU has an 8-bit dot product, else "
           "none)">,
    Option<"reportPath", "report", "std::string", "\"\"",
           "Write a JSON report of every candidate layer to this file">,
    ListOption<"layers", "layers", "std::string",
               "Quantize only these layers (by the names in the report); "
               "all by default">,
  ];
  let dependentDialects = ["mlir::ds::quant::DSQDialect"];
}

//===----------------------------------------------------------------------===//
// Lowering of dsq
//===----------------------------------------------------------------------===//

def LowerQuantized : Pass<"ds-lower-quantized", "ModuleOp"> {
  let summary = "Lower dsq ops to linalg, vector and arith";
  let description = [{
    Lowers every `dsq` op to upstream ops on tensors. Run-time quantization
    and dequantization become `linalg.generic`s. `dsq.qmatmul` with `i8`
    activations and constant weights becomes, where the target has AVX-512
    VNNI (`vnni=auto` asks the host CPU, `on`/`off` force it), a register-
    blocked loop nest of `vpdpbusd` dot products over weights repacked at
    compile time into 16-channel × 4-byte tiles; signed activations are
    offset by 128 to the unsigned operand `vpdpbusd` expects, and the offset
    is subtracted with precomputed per-group weight sums. 4-bit weights are
    unpacked in registers inside the same loop. Otherwise `dsq.qmatmul`
    becomes `linalg.generic`s: an `i32` accumulation per group then a float
    rescale, or (weight-only) a float contraction that dequantizes and
    unpacks weights as it reads them.
  }];
  let options = [
    Option<"vnni", "vnni", "std::string", "\"auto\"",
           "Use AVX-512 VNNI dot products: auto (if the host has them), on, off">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
    "mlir::LLVM::LLVMDialect",
  ];
}

#endif // DS_QUANTIZATION_PASSES
