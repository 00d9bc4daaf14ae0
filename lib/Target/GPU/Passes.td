//===- Passes.td - GPU back-end passes ---------------------*- tablegen -*-===//
#ifndef DS_TARGET_GPU_PASSES
#define DS_TARGET_GPU_PASSES

include "mlir/Pass/PassBase.td"

def CopiesToLinalgPass : Pass<"ds-gpu-copies-to-linalg", "func::FuncOp"> {
  let summary = "Turn every memref.copy into linalg.copy so it runs on the GPU";
  let description = [{
    After bufferization, slices, concatenation and result copies are
    `memref.copy` ops, which `gpu-to-llvm` would leave on the host (a
    `memcpy` or a call into MLIR's runner utilities that ds artifacts do not
    link). As `linalg.copy` they become parallel loops and then kernels like
    every other op, so a model's data stays on the device.
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def MapHostMemoryPass : Pass<"ds-gpu-map-host-memory", "func::FuncOp"> {
  let summary = "Make every buffer of a host function reachable from kernels";
  let description = [{
    Kernels dereference the pointers the host code passes them. After
    bufferization those point to caller buffers (function arguments), to
    constants (`memref.get_global`) and to `memref.alloc` results, all in
    ordinary host memory. This pass makes each reachable from the device:

    - memref arguments are registered (`gpu.host_register`, page-locked and
      mapped at the same address) on entry and unregistered before each
      return;
    - globals are registered where they are first used (registering again
      on the next call is a no-op in the runtime);
    - `memref.alloc`/`memref.dealloc` become `gpu.alloc host_shared` /
      `gpu.dealloc` (managed memory, which host-side copies may also touch).

    This is the host-mapped memory model (pipeline option
    `device-memory=false`): kernels read caller buffers and weights over the
    host link. The default is `ds-gpu-device-memory`, which keeps weights,
    intermediates and staged caller buffers in device memory
    (docs/gpu.md, "Device-resident memory").
  }];
  let dependentDialects = ["gpu::GPUDialect", "memref::MemRefDialect"];
}

def DistributeParallelLoopsPass
    : Pass<"ds-gpu-distribute-parallel-loops", "func::FuncOp"> {
  let summary = "Map each outermost scf.parallel onto a 1-D grid of blocks "
                "and threads";
  let description = [{
    `convert-linalg-to-parallel-loops` gives one `scf.parallel` per linalg
    op, with as many dimensions as the op has parallel iterators (often more
    than three). This pass linearizes the iteration space of every outermost
    `scf.parallel` without results and without a mapping: the new loop nest
    is a block loop over `ceildiv(N, block-size)` mapped to `block_x` and a
    thread loop over `block-size` mapped to `thread_x`; each thread
    recomputes the original induction variables from its linear index and
    runs the body under an `index < N` guard. Reduction loops inside the
    body stay sequential per thread. `convert-parallel-loops-to-gpu` then
    turns the nest into a `gpu.launch`.

    Loops with results (parallel reductions), loops that already carry a
    mapping, and loops nested in other parallel loops are left alone.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (1 to 1024)">
  ];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "scf::SCFDialect"];
}

def TensorCoreMatmulPass
    : Pass<"ds-gpu-tensor-core-matmul", "func::FuncOp"> {
  let summary = "Turn linalg.matmul/batch_matmul on buffers into tiled "
                "tensor-core kernels (nvgpu.ldmatrix + nvgpu.mma.sync)";
  let description = [{
    Each `linalg.matmul` or `linalg.batch_matmul` with default indexing
    maps, static shapes, unit innermost strides, an f32 result and f16 or
    bf16 inputs (or f32 inputs when `allow-tf32` is set) whose N and K are
    multiples of 8 and of the MMA depth (16 for f16/bf16, 8 for tf32)
    becomes one `gpu.launch`:

    - grid `(N/BN, M'/BM, batch)` with M' = M rounded up to 16 (rows past
      M are zeros in A's tile and are not stored); BM in {64, 32, 16} and
      BN in {64, 32, 16, 8}, the largest dividing M' and N; warps of 32 × 32
      (smaller when the block tile is), at most four per block;
    - a K loop in steps of BK (32 or 16 when they divide K): the block
      copies the A (BM × BK) and B (BK × BN) tiles into workgroup memory
      (the launch's workgroup attributions; rows padded by 16 bytes so
      ldmatrix row addresses hit distinct banks) with 16-byte vector
      accesses, `gpu.barrier`, then each warp loads its fragments
      (`nvgpu.ldmatrix`, x4 for A and x2 transposed for B; lane-indexed
      loads for tf32) and issues `nvgpu.mma.sync` m16n8k16 (f16) or
      m16n8k8 (tf32) into accumulators carried by the loop in registers;
    - the accumulators start from C (linalg's accumulate-into-init
      semantics), or, with `fold-fill`, from the splat C holds when its last
      write is a `linalg.fill` (or a `memref.copy` of a filled buffer),
      which is then erased; they are stored back to C at the end;
    - with `fuse-epilogue`, when C is a local buffer whose only reader is an
      all-parallel `linalg.generic` (through expand/collapse_shape views;
      bias broadcasts, activations, residual adds, casts), the kernel takes
      the generic's place and runs its body on each accumulator element in
      registers, storing the generic's output instead of C.

    With `convolutions`, the 2-D convolution generic of dsg → linalg
    (loops n, g, f, oh, ow, c, kh, kw; one group; input padded beforehand)
    is the same kernel as an implicit GEMM: M = F, N = OH·OW,
    K = C·KH·KW, batch = N; A is the weight viewed as [F, C·KH·KW] and
    each B tile is gathered from the input (im2col addresses computed in
    the loader). The same type limits apply. N and K that are not
    multiples of the tile are padded in the tile loaders (zeros past the
    end, stores guarded), as M is.

    Global → shared copies are 16-byte vectors; when the operand's base
    alignment (`memref.assume_alignment`, seen through views) and its row
    strides prove every chunk 16-byte aligned, they say so (128-bit loads),
    and with `pipeline` both tiles are copied with `cp.async` into two
    shared stages, the copy of tile k+1 issued before the MMAs of tile k.

    tf32 keeps 10 mantissa bits of each input (relative error about 1e-3
    per product), so it is opt-in. Other matmuls are left alone (they take
    the SIMT path); `report-skipped` emits a remark saying why. CUDA only.
  }];
  let options = [
    Option<"allowTF32", "allow-tf32", "bool", /*default=*/"false",
           "Run f32 matmuls on tensor cores in tf32 (m16n8k8)">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each matmul left to the SIMT path (and each "
           "epilogue not fused)">,
    Option<"foldFill", "fold-fill", "bool", /*default=*/"true",
           "Start the accumulators from the splat a preceding linalg.fill "
           "wrote into C">,
    Option<"fuseEpilogue", "fuse-epilogue", "bool", /*default=*/"true",
           "Apply C's elementwise consumer to the accumulators in the kernel">,
    Option<"convolutions", "convolutions", "bool", /*default=*/"true",
           "Run 2-D convolutions as implicit GEMMs on the same kernel">,
    Option<"pipeline", "pipeline", "bool", /*default=*/"true",
           "Double-buffer the A/B tiles with cp.async when both operands' "
           "tile rows are provably 16-byte aligned">
  ];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "memref::MemRefDialect", "nvgpu::NVGPUDialect",
                           "scf::SCFDialect", "vector::VectorDialect"];
}

def FlashAttentionPass : Pass<"ds-gpu-flash-attention", "ModuleOp"> {
  let summary = "Replace dsg.attention by a call that "
                "ds-gpu-expand-flash-attention turns into a flash-attention "
                "kernel";
  let description = [{
    Runs on dsg (tensors), before dsg → linalg. Each `dsg.attention` with
    static shapes, f32/f16/bf16 operands and head dimensions of at most 256
    (any mask, causal or not, grouped-query) becomes

    ```mlir
    %q = bufferization.to_buffer %query read_only : ... (key, value, mask)
    %out = memref.alloc() : memref<B x Hq x Lq x Dv x T>
    call @ds_flash_attention(%q, %k, %v[, %mask], %out)
    %result = bufferization.to_tensor %out restrict writable
    ```

    with a bodiless private `@ds_flash_attention` (a unique name per op)
    carrying `ds.flash_attention = {scale, causal}`. Bufferization and
    buffer deallocation see an opaque call (they reject the GPU ops the
    kernel holds); `ds-gpu-expand-flash-attention` builds the kernel after
    them. Ops it cannot take are left for the generic lowering;
    `report-skipped` says why.
  }];
  let options = [
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each attention op left alone">
  ];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "func::FuncDialect", "memref::MemRefDialect"];
}

def ExpandFlashAttentionPass
    : Pass<"ds-gpu-expand-flash-attention", "ModuleOp"> {
  let summary = "Turn ds-gpu-flash-attention's calls into flash-attention "
                "kernels";
  let description = [{
    Each call of a function tagged `ds.flash_attention` (made by
    `ds-gpu-flash-attention`) on identity-layout buffers (query, key,
    value[, mask], result) becomes one `gpu.launch`, and the declarations
    are erased:

    - grid `(ceil(Lq/64), B·Hq)`, 64 threads, one query row per thread;
      query head `h` reads key/value head `h / (Hq/Hkv)`;
    - the thread keeps its scaled query row, the running maximum and sum
      and a Dv-wide f32 accumulator in registers;
    - key and value tiles of 16 rows are staged through workgroup memory
      (f32, coalesced copies by the whole block) between `gpu.barrier`s;
    - per tile, 16 scores in registers (mask added or selected; keys past
      Lk and, with `causal`, above the bottom-right diagonal are `-inf`)
      and the online-softmax update; with `causal` the key loop stops after
      the last tile the block's bottom row may see;
    - `acc / l` is stored (NaN for a fully masked row, as softmax gives).

    No buffer of size Lq × Lk exists. A malformed call (operand count or
    types, missing attributes, dynamic shapes, a non-identity layout) is an
    error naming the call.

    With `tensor-cores` (the default), f16/bf16 calls with head dimensions
    that are multiples of 16 up to 128 take the FlashAttention-2 kernel on
    `mma.sync` instead (FlashAttentionTensorCore.cpp, docs/gpu.md); the
    SIMT kernel above is the fallback, and `report-simt` says why a call
    took it.
  }];
  let options = [
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "Use the mma.sync kernel for the calls it takes">,
    Option<"reportSimt", "report-simt", "bool", /*default=*/"false",
           "Emit a remark on each call left to the SIMT kernel">
  ];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "math::MathDialect", "memref::MemRefDialect",
                           "nvgpu::NVGPUDialect", "scf::SCFDialect",
                           "vector::VectorDialect"];
}

def LowerBF16MmaPass : Pass<"ds-gpu-lower-bf16-mma"> {
  let summary = "Lower bf16 nvgpu.mma.sync (m16n8k16, f32 accumulator) to "
                "nvvm.mma.sync";
  let description = [{
    Upstream `convert-nvgpu-to-nvvm` cannot deduce PTX types for bf16
    `nvgpu.mma.sync`, although PTX (`mma.sync.aligned.m16n8k16.row.col.
    f32.bf16.bf16.f32`, sm_80+) and `nvvm.mma.sync` support it. This pass
    rewrites each bf16 m16n8k16 `nvgpu.mma.sync` with an f32 accumulator
    into `nvvm.mma.sync`: every `2 × bf16` fragment row is bit-cast to one
    i32 register (A: 4, B: 2), the four f32 accumulator values go in and
    come out of the op's struct result as a `vector<2x2xf32>`. Any other
    bf16 `mma.sync` is an error naming what is supported. Run it before
    `convert-nvgpu-to-nvvm`.
  }];
  let dependentDialects = ["LLVM::LLVMDialect", "NVVM::NVVMDialect",
                           "vector::VectorDialect"];
}

def AlignWorkgroupMemoryPass : Pass<"ds-gpu-align-workgroup-memory"> {
  let summary = "Give every workgroup attribution of every gpu.func at "
                "least the given alignment";
  let description = [{
    The NVVM and ROCDL lowerings place each workgroup attribution of a
    `gpu.func` in a global aligned as its `llvm.align` attribute says, or
    else as its element type (2 bytes for f16). `ldmatrix` reads 16-byte
    rows and vector accesses want their width, so this pass sets
    `llvm.align` to `alignment` on every workgroup attribution that has no
    larger one. Run it after kernel outlining.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "Minimum alignment in bytes (a power of two)">
  ];
  let dependentDialects = ["LLVM::LLVMDialect"];
}

def FuseElementwisePass : Pass<"ds-gpu-fuse-elementwise"> {
  let summary = "linalg-fuse-elementwise-ops that can leave named matmuls "
                "alone";
  let description = [{
    Upstream's elementwise fusion and reshape propagation (fusion of a
    producer into its single user, reshapes folded by expansion, constant
    folding, the usual canonicalizations). With `keep-matmuls`, nothing is
    fused into or out of `linalg.matmul` / `linalg.batch_matmul` and no
    reshape is propagated through them: upstream would rewrite a matmul
    whose operand or result is reshaped (attention's head split) into a
    higher-rank `linalg.generic`, which `ds-gpu-tensor-core-matmul` does not
    take. The reshapes then stay views of the matmul's buffers.
  }];
  let options = [
    Option<"keepMatmuls", "keep-matmuls", "bool", /*default=*/"true",
           "Fuse and propagate reshapes around, not into, named matmuls">
  ];
  let dependentDialects = ["affine::AffineDialect", "linalg::LinalgDialect",
                           "tensor::TensorDialect"];
}

def MergeKernelModulesPass : Pass<"ds-gpu-merge-kernel-modules", "ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` creates one `gpu.module` per kernel. One module
    per model gives one PTX file, one cubin and one HSACO to assemble, load
    and cache, and lets the device linker share helpers between kernels.
    Outlining names each kernel after its function (`main_kernel`) and
    makes the module names unique (`main_kernel_0`, ...), so each kernel is
    renamed after its old module; runtime errors then name the kernel
    uniquely. Every `gpu.launch_func` is redirected to the merged module,
    which takes the name given by `module-name`. Fails if two modules define
    the same non-kernel symbol.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"ds_kernels\"", "Name of the merged gpu.module">
  ];
  let dependentDialects = ["gpu::GPUDialect"];
}

def ApproximateMathPass : Pass<"ds-gpu-approximate-math"> {
  let summary = "Replace f32 transcendental math ops with polynomial "
                "approximations";
  let description = [{
    `convert-gpu-to-rocdl` turns `math.erf`, `math.tanh`, `math.exp`, ... into
    calls to the ROCm device library (ocml), which Debian does not ship and
    which the HSACO link would then miss. This pass expands those ops into
    arithmetic (MLIR's polynomial approximations, accurate to a few ulp in
    f32) so the kernels are self-contained. Ops on f16/bf16 are computed in
    f32. Only the ops with approximations are touched.
  }];
  let dependentDialects = ["arith::ArithDialect", "math::MathDialect",
                           "vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// ROCm matrix cores (MfmaMatmul.cpp)
//===----------------------------------------------------------------------===//

def MfmaMatmulPass : Pass<"ds-gpu-mfma-matmul", "func::FuncOp"> {
  let summary = "Turn linalg.matmul/batch_matmul on buffers into tiled "
                "MFMA kernels for AMD CDNA matrix cores (amdgpu.mfma)";
  let description = [{
    For `chip` in gfx90a, gfx940, gfx941, gfx942 and gfx950, each
    `linalg.matmul` or `linalg.batch_matmul` with default indexing maps,
    static shapes, unit innermost strides, an f32 result and f32, f16 or
    bf16 inputs whose N is a multiple of 16 and whose K is a multiple of
    4 (f32) or 16 (f16/bf16) becomes one `gpu.launch` for wave64:

    - grid `(N/BN, M'/BM, batch)` with M' = M rounded up to 16 (rows past
      M are zeros in A's tile and are not stored); BM and BN in
      {64, 32, 16}, the largest dividing M' and N; waves of 32 × 32 output
      elements (smaller when the block tile is), at most four per block;
    - a K loop in steps of BK (32, 16, 8 or 4 dividing K, whole 16-byte
      rows): the block copies the A (BM × BK) and B (BK × BN) tiles into
      LDS (the launch's workgroup attributions, rows padded by 16 bytes)
      with 16-byte vector accesses, `gpu.barrier`, then each wave loads its
      operands by lane index and issues `amdgpu.mfma` 16x16x4 (f32 inputs:
      `v_mfma_f32_16x16x4f32`) or 16x16x16 (f16: `v_mfma_f32_16x16x16f16`,
      bf16: `v_mfma_f32_16x16x16bf16_1k`) into `vector<4xf32>` accumulators
      carried by the loop;
    - the accumulators start from C (linalg's accumulate-into-init
      semantics) and are stored back to C at the end.

    Lane l holds A's row l % 16 and B's column l % 16 at K offsets
    K/4 · (l / 16) + e, and D's rows 4 · (l / 16) + e of column l % 16
    (CDNA3 ISA, matrix arithmetic chapter; AMD Matrix Instruction
    Calculator). The f32
    instruction multiplies and accumulates in f32, so f32 models keep f32
    precision (only the summation order differs from the SIMT loop).

    Other matmuls, and every matmul on other chips, are left alone (the
    SIMT path); `report-skipped` emits a remark saying why. ROCm only:
    lower with `convert-amdgpu-to-rocdl` (done by the ROCm pipeline).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"gfx942\"",
           "Target chip (the kernel is built for CDNA2/CDNA3/CDNA4 only)">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each matmul left to the SIMT path">
  ];
  let dependentDialects = ["amdgpu::AMDGPUDialect", "arith::ArithDialect",
                           "gpu::GPUDialect", "memref::MemRefDialect",
                           "scf::SCFDialect", "vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Quantized kernels (QuantizedMatmul.cpp)
//===----------------------------------------------------------------------===//

def QuantizedMatmulPass : Pass<"ds-gpu-quantized-matmul", "ModuleOp"> {
  let summary = "Replace int8 dsq.qmatmul and dsq.dynamic_quantize by calls "
                "that ds-gpu-expand-quantized turns into CUDA kernels";
  let description = [{
    Runs on dsq (tensors), before `ds-lower-quantized`, on the CUDA target.
    Each `dsq.qmatmul` with int8 activations (an `i8` lhs with its scale)
    and 8- or 4-bit weights, static shapes, K and the weight group
    multiples of 32 and N a multiple of 8 becomes

    ```mlir
    %lhs = bufferization.to_buffer %lhs2d read_only   // [M, K] (collapsed)
    ...                                               // scales, weight, bias
    %out = memref.alloc() : memref<M x N x f32>
    call @ds_gpu_qmatmul(%lhs, %lhs_scale, %w, %w_scale[, %bias], %out)
    %result = bufferization.to_tensor %out restrict writable
    ```

    with a bodiless private `@ds_gpu_qmatmul` carrying
    `ds.gpu_qmatmul = {bits}`; each `dsq.dynamic_quantize` with a static
    shape becomes `@ds_gpu_quantize(%in [R, C], %q [R, C], %scale [R])`
    tagged `ds.gpu_quantize = {bits}` (per tensor: R = 1). Leading
    dimensions are collapsed before and expanded after. Ops it cannot take
    (weight-only products, dynamic shapes, unaligned K, N or groups) are left
    for the portable lowering; `report-skipped` says why.
  }];
  let options = [
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each dsq op left alone">
  ];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "func::FuncDialect", "memref::MemRefDialect",
                           "tensor::TensorDialect"];
}

def ExpandQuantizedPass : Pass<"ds-gpu-expand-quantized", "ModuleOp"> {
  let summary = "Turn ds-gpu-quantized-matmul's calls into the int8 "
                "tensor-core GEMM and the quantization kernel";
  let description = [{
    Each call of a function tagged `ds.gpu_qmatmul` becomes one
    `gpu.launch`: grid `(N/BN, ceil(M/64))`, 4 warps of 16 rows each, BN =
    32, 16 or 8 (the largest dividing N); per weight group, i32 fragments
    accumulate `nvgpu.mma.sync` m16n8k32 s8 (PTX
    `mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32`, sm_80+)
    and are rescaled by the group's weight scales into f32 registers; the
    epilogue multiplies by the activation scale, adds the bias and stores
    rows below M. 4-bit weights are unpacked to s8 in the B-fragment loader.

    Each call tagged `ds.gpu_quantize` becomes one block of 256 threads per
    row: strided absmax, warp shuffles and a workgroup-memory reduction
    across warps, then `clamp(roundeven(x * qmax / absmax))`.

    A malformed call (operand count or types, missing attributes, shapes
    the kernel does not take, a non-identity layout) is an error naming the
    call.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "math::MathDialect", "memref::MemRefDialect",
                           "nvgpu::NVGPUDialect", "scf::SCFDialect",
                           "vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Device-resident memory (docs/gpu.md, "Runtime")
//===----------------------------------------------------------------------===//

def DeviceMemoryPass : Pass<"ds-gpu-device-memory", "ModuleOp"> {
  let summary = "Keep constants, intermediates and staged caller buffers in "
                "device memory";
  let description = [{
    Runs after bufferization and buffer deallocation, on host functions
    whose buffers are caller arguments, constants (`memref.get_global`) and
    `memref.alloc` results. Afterwards every buffer a kernel reads or writes
    is device memory:

    - each constant global gets an internal pointer-sized slot
      (`@__ds_resident_<name>`); at the function entry
      `dsrtGpuResidentConstant(&slot, host, bytes)` returns the device copy,
      uploading it on the artifact's first call only; a global destructor
      (`@__ds_release_resident_constants`) frees the copies when the
      artifact is unloaded (`dsrt_module_free`);
    - `memref.alloc` / `memref.dealloc` become `gpu.alloc` / `gpu.dealloc`
      (device memory from the runtime's caching pool);
    - each memref argument of a public function gets a device buffer,
      filled by `gpu.memcpy` from the caller's buffer unless the function
      only overwrites the whole buffer without reading it, and copied back
      before each return if the function may write it; then freed.

    Every device buffer is at least 256-byte aligned; the pass states it
    with `memref.assume_alignment 256` on each allocation and constant, for
    kernel generators that want wide accesses. The gpu ops are synchronous;
    `gpu-async-region` afterwards puts them and the launches on one stream
    with a single synchronization before the return.

    Errors: host-side `memref.load`/`memref.store`/`memref.alloca` (the host
    cannot dereference device memory), mutable globals, unranked or
    non-identity-layout arguments.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "LLVM::LLVMDialect", "memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// Warpgroup MMA on sm_90a (docs/gpu.md, "Warpgroup MMA")
//===----------------------------------------------------------------------===//

def WarpgroupMatmulPass : Pass<"ds-gpu-warpgroup-matmul", "func::FuncOp"> {
  let summary = "Turn f16/bf16 linalg matmuls on buffers into sm_90a "
                "warpgroup-MMA (wgmma) kernels";
  let description = [{
    Each linalg.matmul / linalg.batch_matmul on buffers with f16 or bf16
    operands, an f32 result, static shapes, N a multiple of 16 and K a
    multiple of 64 becomes one `gpu.launch`: grid `(N / BN, ceil(M / 64),
    batch)`, one warpgroup (128 threads) per block, BN the largest of 128,
    64, 32, 16 dividing N. Per K step of 64, the block copies the 64 × 64
    A tile and the transposed 64 × BN B tile into 1024-byte-aligned
    shared memory in the 128-byte swizzled K-major layout, fences the
    generic proxy against the async proxy (`fence.proxy.async.shared::cta`),
    synchronizes, then issues `wgmma.fence`, four
    `wgmma.mma_async.m64nBNk16.f32` with in-kernel 64-bit shared-memory
    descriptors, `wgmma.commit_group` and `wgmma.wait_group 0`. The f32
    accumulators are added to C (rows past M are neither read nor
    stored). The index math is in WarpgroupLayout.h.

    Only with `chip=sm_90a` (wgmma needs the architecture-specific
    target); any other chip leaves every matmul alone. Runs before
    ds-gpu-tensor-core-matmul, which takes the rest; `report-skipped`
    says why a matmul was left. The NVVM wgmma ops need
    `convert-nvvm-to-llvm` in the device pipeline.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "The CUDA chip compiled for; only sm_90a gets wgmma kernels">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each matmul left to the other kernels">
  ];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "LLVM::LLVMDialect", "memref::MemRefDialect",
                           "NVVM::NVVMDialect", "scf::SCFDialect",
                           "vector::VectorDialect"];
}

#endif // DS_TARGET_GPU_PASSES
