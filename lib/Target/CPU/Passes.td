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

def UsePoolingKernelsPass : Pass<"ds-cpu-use-pooling-kernels", "ModuleOp"> {
  let summary = "Replace fp32 max and sum pooling windows on buffers with "
                "calls to dsrt's pooling kernel";
  let description = [{
    Runs after bufferization, before the loop lowering. A `linalg.generic`
    on f32 memrefs whose body is `yield arith.maximumf(in, out)` or
    `yield arith.addf(in, out)` (either operand order) and that is

      * a windowed pooling: input `[N, C, H, W]` indexed
        `(n, c, oh*sh + kh*dh, ow*sw + kw*dw)`, a `[KH, KW]` operand indexed
        `(kh, kw)` that only gives the window loops their range, output
        `[N, C, OH, OW]` indexed `(n, c, oh, ow)` (either spatial axis may
        instead be a constant 0 of extent 1), `n, c, oh, ow` parallel and
        `kh, kw` reductions, any loop order; or
      * a global pooling: input `[N, C, H, W]` indexed `(n, c, h, w)`,
        output `[N, C]` (or `[N, C, 1, 1]` indexed `(n, c, 0, 0)`), `h, w`
        reductions,

    becomes a call of `dsrt_kernel_pool2d_f32` (runtime/include/dsrt/
    kernels.h) with each operand's aligned pointer plus offset and its
    element strides. The kernel accumulates into the output as the op did,
    so the fill before it stays. MaxPool's padding (a padded copy filled
    with -inf) and AveragePool's division are separate ops and stay.
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

def PlanBuffersPass : Pass<"ds-cpu-plan-buffers", "func::FuncOp"> {
  let summary = "Place a function's static buffers in one arena, reusing "
                "memory by liveness";
  let description = [{
    Runs on buffers, after bufferization and before buffer deallocation.
    Every `memref.alloc` in the function's entry block that has a static
    shape, the identity layout, the default memory space and a byte-sized
    element type, and whose buffer (with its views) is only used inside the
    function, becomes a `memref.view` at a constant byte offset into one
    `memref.alloc` of `i8`s made at the start of the function: one heap
    allocation per call instead of one per intermediate, which deallocation
    then frees once.

    Liveness: the top-level operations of the entry block are numbered;
    a buffer is live from the first to the last operation that uses it or
    one of its views (a use inside a nested region counts at its top-level
    ancestor). Two buffers whose intervals share an operation get disjoint
    bytes. The address of a buffer or view taken by
    `memref.extract_aligned_pointer_as_index` may pass through integer
    casts, `llvm.inttoptr`, `llvm.getelementptr` and `arith.addi` into
    operands of `func.call`s of `dsrt_kernel_*` functions (the runtime's
    synchronous kernels, as `ds-cpu-fuse-conv-kernels` calls them, which use
    their pointers during the call only); those calls count as uses. A buffer used by `func.return`, a terminator, an op that returns
    a memref without being a view, an unrealized cast, or whose address
    goes anywhere else (a store, a struct, a result), is left alone.

    In place: when a top-level, all-parallel linalg op is the last use of
    buffer A, read as an input, and the first use of buffer B, written as
    its output, through the same permutation indexing map, with the same
    shape and element width, and no other operand of the op aliases A,
    B takes A's bytes (each output element is written after the input
    element at the same address is read, in the same iteration).

    Placement: greedy by size with best fit (the "greedy by size" offset
    planner of Pisarchyk and Lee, "Efficient Memory Management for Deep
    Neural Net Inference", 2020): buffers in decreasing size (ties in
    program order), each at the smallest gap, among the buffers already
    placed whose intervals overlap its own, that holds it, else above them
    all. Offsets are multiples of `alignment`.

    The arena size and the sum of the buffers' sizes are attached to the
    function as `ds.arena_bytes` and `ds.buffer_bytes` (i64), for reports.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer in the arena (a power of two)">,
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "Let an elementwise op's output take its dead input's bytes">,
  ];
  let dependentDialects = ["memref::MemRefDialect", "arith::ArithDialect"];
}

def ParallelizeLoopsPass : Pass<"ds-cpu-parallelize-loops", "ModuleOp"> {
  let summary = "Run large linalg ops on buffers on the runtime's thread pool";
  let description = [{
    Runs on buffers, after `ds-cpu-use-microkernels` (whose kernels are
    threaded already) and before linalg becomes loops. A linalg op at the
    top level of a public function is split along one loop `d` when

      * all its operands are memrefs with static shapes and its loop
        ranges are static, with at least `min-iterations` iterations in
        all (the product of the ranges);
      * `d` is the outermost parallel loop with an extent of 2 or more
        that every output indexes with the plain dimension `d` (so each
        output element belongs to exactly one value of `d`) and that every
        input indexes only with plain `d`, if at all;
      * its body reads no value from above other than constants (cloned)
        and has no `linalg.index`.

    The op moves into a new private function
    `(!llvm.ptr ctx, i64 lo, i64 hi)` that reads the operands' memref
    descriptors from `ctx` and applies the op to the subviews `[lo, hi)`
    along `d`; the op's place gets the descriptors stored in a stack
    struct and a call of `dsrt_parallel_for(extent of d, body, ctx)`
    (runtime/include/dsrt/parallel.h), which runs disjoint ranges on the
    runtime's pool, the same threads and thread count as the kernels.

    Every output element is computed by one call, with the op's own loop
    order inside it, so results do not depend on the thread count or on
    scheduling: reductions stay sequential within an element.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"32768",
           "Split only ops with at least this many loop iterations">,
  ];
  let dependentDialects = ["func::FuncDialect", "memref::MemRefDialect",
                           "arith::ArithDialect", "LLVM::LLVMDialect"];
}

#endif // DS_TARGET_CPU_PASSES
