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

    This is the correctness-first memory model: kernels read caller buffers
    and weights over the host link. Staging weights in device memory once
    per module is future work (docs/gpu.md).
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
      semantics) and are stored back to C at the end.

    tf32 keeps 10 mantissa bits of each input (relative error about 1e-3
    per product), so it is opt-in. Other matmuls are left alone (they take
    the SIMT path); `report-skipped` emits a remark saying why. CUDA only.
  }];
  let options = [
    Option<"allowTF32", "allow-tf32", "bool", /*default=*/"false",
           "Run f32 matmuls on tensor cores in tf32 (m16n8k8)">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "Emit a remark on each matmul left to the SIMT path">
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

#endif // DS_TARGET_GPU_PASSES
