//===- Passes.td - CPU back-end passes ---------------------*- tablegen -*-===//
#ifndef DS_TARGET_CPU_PASSES
#define DS_TARGET_CPU_PASSES

include "mlir/Pass/PassBase.td"

def LowerStridedCopiesPass : Pass<"ds-cpu-lower-strided-copies"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to `memcpy`, but any other copy to a call of `memrefCopy` from
    MLIR's C runner utilities, which artifacts do not link. This pass
    rewrites those copies (they come from slices and concatenation after
    bufferization) into `linalg.copy`, which later becomes plain loops.
    Copies between identity-layout buffers are left alone.
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def FlattenConstantsPass : Pass<"ds-cpu-flatten-constants", "func::FuncOp"> {
  let summary = "Store multi-dimensional tensor constants as 1-D globals";
  let description = [{
    Rewrites every `arith.constant` of a tensor of rank 2 or more into a 1-D
    constant followed by a `tensor.expand_shape` to the original shape.
    After bufferization the expand is a free view, and the LLVM global is a
    flat `[N x T]` array that LLVM emits from the raw bytes; a nested
    `[A x [B x [C x T]]]` global becomes one LLVM constant per innermost
    row, which took most of the compile time of large models (ResNet-18's
    conv weights: tens of seconds). Resource blobs are reused, not copied.
  }];
  let dependentDialects = ["tensor::TensorDialect"];
}

def InterchangeLoopsPass : Pass<"ds-cpu-interchange-loops", "func::FuncOp"> {
  let summary = "Reorder linalg loops so the innermost one is parallel and "
                "walks memory with stride 1";
  let description = [{
    `convert-linalg-to-loops` emits loops in iterator order. For a
    contraction or convolution that puts a reduction innermost, whose
    accesses are strided and which LLVM does not vectorize.

    This pass generalizes named contractions and convolutions
    (`linalg.matmul`, `linalg.batch_matmul`, `linalg.matvec`,
    `linalg.conv_*`, ...) into `linalg.generic`, then, for each generic with
    a reduction iterator, takes `p`, the loop of the first output's last
    index when that is a plain parallel dimension. If every input either
    ignores `p` or uses it only in its last index, the loops are reordered
    to [parallel loops but `p`] + [reduction loops] + [`p`], keeping the
    relative order within each group (so every output element is still
    accumulated in the same order). Matmul (i, j, k) becomes (i, k, j);
    the convolution (n, g, f, oh, ow, c, kh, kw) becomes
    (n, g, f, oh, c, kh, kw, ow). Other ops (e.g. a reduction over the last
    axis) are left alone.
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def UseMicrokernelsPass : Pass<"ds-cpu-use-microkernels", "ModuleOp"> {
  let summary = "Replace fp32 contractions and convolutions on buffers with "
                "calls to dsrt's packed, threaded microkernels";
  let description = [{
    Runs after bufferization. Every `linalg` op on memrefs of f32 whose body
    is `out + a * b` and that is either

      * a contraction with one M, one N, one K and at most one batch loop
        (`linalg.matmul`, `linalg.batch_matmul`, and the `linalg.generic`s
        they generalize to, in any loop order, with transposed or broadcast
        operands), or
      * the grouped 2-D convolution that dsg → linalg produces: input
        `[N, G, C, H, W]` indexed `(n, g, c, oh*sh + kh*dh, ow*sw + kw*dw)`,
        weight `[G, F, C, KH, KW]`, output `[N, G, F, OH, OW]`, any loop
        order,

    becomes a call of `dsrt_kernel_sgemm` or `dsrt_kernel_conv2d_f32`
    (runtime/include/dsrt/kernels.h) with each operand's aligned pointer
    plus offset and its element strides, read with
    `memref.extract_strided_metadata`, and flags that say whether A (the
    convolution's weight) or B is a view of a constant global, whose packed
    form the runtime then keeps across calls. The kernels accumulate into the
    output, as the op did, so the fill or bias that initialised it stays.
    Other ops, element types and bodies are left alone, to become loops.
    The artifact links against the runtime that provides the kernels.
  }];
  let dependentDialects = ["func::FuncDialect", "memref::MemRefDialect",
                           "arith::ArithDialect", "LLVM::LLVMDialect"];
}

def UseQuantizedKernelsPass
    : Pass<"ds-cpu-use-quantized-kernels", "ModuleOp"> {
  let summary = "Replace dsq products and run-time quantization with calls "
                "to dsrt's int8 kernels";
  let description = [{
    Runs on tensors, before `ds-lower-quantized`. Every `dsq.qmatmul` whose
    activations are `i8` (with their scale) and whose weights and weight
    scales are the results of one `dsq.weight`, with no bias or a constant
    one, becomes a call of `dsrt_kernel_qgemm_s8`; every
    `dsq.dynamic_quantize` of rank >= 1 becomes a call of
    `dsrt_kernel_quantize_s8` (runtime/include/dsrt/quant_kernels.h).

    Leading dimensions are collapsed into rows (`tensor.collapse_shape`,
    or an `expand_shape` to one row for a vector). Each operand is passed
    as a pointer plus element strides taken from a
    `bufferization.to_buffer ... read_only` created right before the call;
    results are written into a new 64-byte-aligned `memref.alloc` that
    `bufferization.to_tensor ... restrict writable` returns to tensors, so
    one-shot bufferization removes the conversions. Weights are flagged
    constant: the runtime packs them (int4 unpacked to int8) on the first
    call and keeps the packed form while the module is loaded.

    Other dsq ops (weight-only products, dequantization, products whose
    weights are not a `dsq.weight`) are left for `ds-lower-quantized`.
  }];
  let dependentDialects = ["func::FuncDialect", "memref::MemRefDialect",
                           "arith::ArithDialect", "LLVM::LLVMDialect",
                           "bufferization::BufferizationDialect",
                           "tensor::TensorDialect"];
}

def ResultsToOutParamsPass : Pass<"ds-cpu-results-to-out-params", "ModuleOp"> {
  let summary = "Turn the results of functions with static result shapes "
                "into caller-allocated out-parameters";
  let description = [{
    `buffer-results-to-out-params` (with hoisted static allocations and
    public functions included) for every function whose memref results all
    have static shapes: the caller allocates them (artifact ABI version 2).
    A function with a result of dynamic shape keeps all of its results: the
    callee allocates them and the caller takes ownership (artifact ABI
    version 3, docs/artifact-abi.md), since only the callee knows their sizes.
  }];
  let dependentDialects = ["memref::MemRefDialect"];
}

#endif // DS_TARGET_CPU_PASSES
