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
