//===- Passes.td - ds quantization passes ------------------*- tablegen -*-===//
#ifndef DS_QUANTIZATION_PASSES
#define DS_QUANTIZATION_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Quantization of dsg graphs
//===----------------------------------------------------------------------===//

def Quantize : Pass<"ds-quantize", "ModuleOp"> {
  let summary = "Quantize the weights of matrix products and convolutions "
                "at compile time, their activations at run time";
  let description = [{
    Rewrites `dsg.matmul` and `dsg.gemm` whose right-hand side is a constant
    `[K, N]` (or `[N, K]` with `trans_b`) f32 matrix into `dsq` ops: the
    weights become a `dsq.weight` (symmetric, per output channel for int8,
    per group of `group` elements along K for int4), and the activations
    are quantized when the program runs (`dsq.dynamic_quantize`, per token
    or per tensor) or stay float (`activations=none`: weight-only
    quantization). A constant `[N]` bias (Gemm's C, or the `dsg.add` that
    follows a MatMul) moves into the `dsq.qmatmul`.

    A 2-D `dsg.conv` with constant f32 weights `[F, C, KH, KW]` and group 1
    becomes a `dsq.qconv`: its weights a `dsq.weight` `[F, C*KH*KW]` (per
    output channel for int8, per group along `C*KH*KW` for int4) and its
    constant bias moves in. Convolution activations are quantized per
    tensor under every `dynamic-*` setting (the patches of neighbouring
    output pixels overlap, so a per-token scale has no meaning; the 4-bit
    path of `dynamic-auto` is for matrix products only). Depthwise and
    other grouped convolutions stay float, named in the report with the
    reason.

    `activations=target` (the default) chooses per-token int8 activations
    where the host CPU has an 8-bit integer dot product (AVX-512 VNNI or
    AVX-VNNI), and weight-only quantization elsewhere.

    `activations=dynamic-auto` quantizes activations per token and lets
    each one choose 4 or 8 bits when the program runs: both paths are
    compiled under an `scf.if` on the statistic `max over rows of
    (absmax^2 - r^2 * mean(x^2))`, i.e. 4 bits when every row's
    absmax/RMS ratio (its crest factor) is at most `int4-max-ratio`.

    A product that cannot be quantized (a non-constant weight, a
    transposed A, a reduction size that `group` does not divide under
    int4, a non-f32 type) stays float; `report=FILE` writes a JSON record
    of every candidate with its decision, reason and weight bytes, and a
    Markdown table beside it (FILE with the extension `.md`).

    With `calibration=DIR` (an ONNX test_data_set folder of `input_<i>.pb`
    files, or a folder of them) the pass runs the model: through the
    dsq dialect's CalibrationRunnerInterface, which the compile API
    attaches (it compiles a clone with ds's CPU pipeline into a temporary
    artifact and runs it with the runtime). It then
     - corrects each quantized layer's bias for the mean output shift its
       weight quantization causes, `(W_q - W) E[x]` with `E[x]` measured on
       the calibration inputs (`bias-correction`, on by default);
     - measures every layer alone at 8 and 4 bits (sensitivity) and the
       final assignment, with and without bias correction, into the report;
     - with `bits=auto`, chooses int4, int8 or float per layer: all start at
       int4 (int8 where the group does not divide K), then the layer most
       sensitive at its current width is promoted (int4 → int8 → float)
       until the measured `metric` on the calibration data is within
       `budget`. A budget that cannot be met is an error that reports the
       best reachable result.
  }];
  let options = [
    Option<"weights", "weights", "std::string", "\"int8\"",
           "Weight storage: int8 (per output channel) or int4 (per group)">,
    Option<"groupSize", "group", "int64_t", "128",
           "Group size along K for int4 weights: 32, 64 or 128">,
    Option<"activations", "activations", "std::string", "\"target\"",
           "dynamic-per-token, dynamic-per-tensor, dynamic-auto (per token, "
           "4 or 8 bits chosen at run time), none (weight-only) or target "
           "(per-token where the CPU has an 8-bit dot product, else none)">,
    Option<"reportPath", "report", "std::string", "\"\"",
           "Write a JSON report of every candidate layer to this file">,
    ListOption<"layers", "layers", "std::string",
               "Quantize only these layers (by the names in the report); "
               "all by default">,
    Option<"calibration", "calibration", "std::string", "\"\"",
           "Calibration inputs: an ONNX test_data_set folder (input_<i>.pb) "
           "or a folder of them; the model is run on them">,
    Option<"biasCorrection", "bias-correction", "bool", "true",
           "With calibration: subtract each quantized layer's mean output "
           "shift (W_q - W) E[x] from its bias">,
    Option<"bits", "bits", "std::string", "\"\"",
           "auto: choose int4, int8 or float per layer under `budget` "
           "(needs calibration); unset: the width of `weights`">,
    Option<"budget", "budget", "double", "0.01",
           "Largest allowed loss on the calibration inputs: the fraction of "
           "inputs whose top-1 class changes (metric=top1, default 0.01), or "
           "the smallest allowed output SQNR in dB (metric=sqnr)">,
    Option<"metric", "metric", "std::string", "\"top1\"",
           "What the budget limits: top1 (fraction of changed arg max) or "
           "sqnr (output SQNR in dB)">,
    Option<"allowFloat", "allow-float", "bool", "true",
           "bits=auto may keep layers float">,
    Option<"int4MaxRatio", "int4-max-ratio", "double", "3.0",
           "activations=dynamic-auto: a row goes 4-bit when its absmax/RMS "
           "is at most this">,
  ];
  let dependentDialects = [
    "mlir::ds::quant::DSQDialect",
    "mlir::arith::ArithDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// Lowering of dsq
//===----------------------------------------------------------------------===//

def DecomposeQConv : Pass<"ds-decompose-qconv", "ModuleOp"> {
  let summary = "Rewrite dsq.qconv as im2col and dsq.qmatmul";
  let description = [{
    Rewrites every `dsq.qconv` into the patch matrix of its input (zero
    padding, then a `linalg.generic` that gathers each output pixel's
    receptive field into one row, in the weights' `(c, kh, kw)` order), one
    `dsq.qmatmul` per convolution group on it, and a `linalg.transpose`
    back to `[N, F, OH, OW]`. The patches are gathered from the `i8`
    activations when they are quantized. On the CPU target this runs
    before `ds-cpu-use-quantized-kernels`, so quantized convolutions use
    the runtime's int8 GEMM; `ds-lower-quantized` runs it first as well.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

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
