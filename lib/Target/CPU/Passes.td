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

def FuseConvKernelsPass : Pass<"ds-cpu-fuse-conv-kernels", "ModuleOp"> {
  let summary = "Fold a convolution's padded input copy, output fill and "
                "elementwise epilogue into one fused kernel call";
  let description = [{
    Runs after bufferization, before `ds-cpu-use-microkernels`. For each
    grouped 2-D convolution generic of dsg → linalg (the form
    `ds-cpu-use-microkernels` matches) whose output holds +0.0 everywhere
    before it (its last writer is a zero `linalg.fill`/`linalg.map` of the
    whole buffer, or a copy of such a buffer), the pass emits one call of
    `dsrt_kernel_conv2d_fused_f32` (runtime/include/dsrt/kernels.h) that
    writes the output instead of accumulating, and folds into it:

      * the padded copy of the input: an allocation that is only zero-filled,
        receives the unpadded input through a `memref.subview` at
        `[0, 0, padH, padW]` + `memref.copy`, and is read by this conv alone;
        the kernel reads the unpadded input and treats the border as zeros;
      * the elementwise `linalg.generic`s that follow the conv (only
        allocations and memory-free ops between), each continuing the
        previous one's buffer (or the conv output's `[N, G*F, OH, OW]`
        collapse): `arith.addf` with an input of any projected-permutation
        map (a per-channel bias, a residual), at most two and before any
        clamp, then `arith.maximumf` and `arith.minimumf` with a constant or
        a 0-d buffer (ReLU, ReLU6, Clip), in that order.

    Folding stops at the first generic that does not fit, and is cut back
    until it is safe: the buffers the call reads (input, weight, addends,
    bounds) must not be ones the folded ops wrote, and every buffer written
    by a folded op other than the final result must have no user besides
    the folded ops, views and deallocations. The output's now dead
    initialisation, the padded buffer and unused intermediate buffers are
    erased. Convolutions that do not qualify are left for
    `ds-cpu-use-microkernels`.
  }];
  let dependentDialects = ["arith::ArithDialect", "func::FuncDialect",
                           "LLVM::LLVMDialect", "memref::MemRefDialect"];
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

#endif // DS_TARGET_CPU_PASSES
