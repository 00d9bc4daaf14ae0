//===- GPUTarget.h - The ds CUDA and ROCm back ends -------------*- C++ -*-===//
//
// Lowers a linalg-level module (what dsg→linalg produces) to host code in the
// LLVM dialect that launches device kernels, and the kernels themselves to
// PTX/cubin (NVVM) or AMDGCN/HSACO (ROCDL). The pipeline is registered as
// `ds-gpu-cuda-pipeline` and `ds-gpu-rocm-pipeline` so `ds-opt` runs exactly
// what ds-translate and the compile API run.
//
//   GPUPipelineOptions opts;
//   opts.runtime = GPURuntime::CUDA;
//   opts.chip = "sm_90";
//   PassManager pm(ctx);
//   buildGPUPipeline(pm, opts);            // ends in gpu.binary ops
//   pm.run(module);
//   FailureOr<KernelImage> ptx = extractKernelImage(module);
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_GPU_GPUTARGET_H
#define DS_TARGET_GPU_GPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>

namespace mlir {
class DialectRegistry;

namespace ds {

/// Which device runtime and code generator a module is compiled for.
enum class GPURuntime { CUDA, ROCm };

/// "cuda" / "rocm".
StringRef stringifyGPURuntime(GPURuntime runtime);

/// The chip used when none is given: sm_80 (the oldest chip with bf16 tensor
/// cores) for CUDA, gfx942 (MI300) for ROCm.
StringRef getDefaultChip(GPURuntime runtime);

/// Checks that `chip` names a chip of `runtime`'s family (`sm_NN[a]` for
/// CUDA, `gfxNNN[x]` for ROCm). Returns an explanation on mismatch.
std::optional<std::string> checkChip(GPURuntime runtime, StringRef chip);

/// What gpu-module-to-binary produces for the kernel module.
enum class KernelFormat {
  /// Text: PTX (CUDA) or AMDGCN assembly (ROCm).
  Assembly,
  /// Device binary: cubin via ptxas (CUDA), HSACO via ld.lld (ROCm).
  Binary,
  /// CUDA only: a fatbin with the cubin and the PTX (JIT fallback for chips
  /// newer than the one compiled for).
  Fatbin,
};

struct GPUPipelineOptions {
  GPURuntime runtime = GPURuntime::CUDA;
  /// Empty means getDefaultChip(runtime).
  std::string chip;
  /// Target features (e.g. "+ptx80"); empty lets MLIR pick the minimum.
  std::string features;
  /// Threads per block for distributed loops.
  int64_t blockSize = 256;
  /// Run eligible matmuls as tiled matrix-core kernels: CUDA f16/bf16
  /// (ds-gpu-tensor-core-matmul), ROCm CDNA f32/f16/bf16
  /// (ds-gpu-mfma-matmul).
  bool tensorCores = true;
  /// CUDA: also run f32 matmuls on tensor cores in tf32 (about 1e-3
  /// relative error per product instead of f32's 6e-8).
  bool allowTF32 = false;
  /// CUDA, chip sm_90a only: f16/bf16 matmuls as warpgroup-MMA (wgmma)
  /// kernels (ds-gpu-warpgroup-matmul) instead of mma.sync. Off by default:
  /// never run on a device yet (docs/gpu.md, "Warpgroup MMA").
  bool wgmma = false;
  KernelFormat format = KernelFormat::Assembly;
  /// Register caller buffers and constants with the driver and allocate
  /// intermediates as managed memory (ds-gpu-map-host-memory), so the
  /// artifact runs; off only to inspect kernels.
  bool mapHostMemory = true;
  /// With mapHostMemory: keep constants (uploaded once), intermediates and
  /// staged copies of the caller's buffers in device memory
  /// (ds-gpu-device-memory), on one stream with one synchronization per
  /// call. Off: the older host-mapped model (ds-gpu-map-host-memory).
  bool deviceMemory = true;
  /// CUDA toolkit (ptxas, fatbinary, libdevice) or ROCm root. Empty means
  /// the one found when ds was configured.
  std::string toolkitPath;
};

/// Why `options` cannot be compiled with wgmma (it needs CUDA and chip
/// sm_90a exactly), or nothing.
std::optional<std::string> checkWgmma(const GPUPipelineOptions &options);

/// Adds the passes taking a linalg-on-tensors module to LLVM-dialect host
/// code plus one `gpu.binary @ds_kernels` holding every kernel: elementwise
/// fusion, one-shot bufferization (results become out-parameters as on the
/// CPU), linalg → parallel loops, 1-D block/thread distribution, kernel
/// outlining into one module, NVVM or ROCDL lowering, gpu-to-llvm, and
/// gpu-module-to-binary in `options.format`.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Adds the GPU passes that run on dsg, before dsg → linalg: on CUDA,
/// every dsg.attention it can take becomes one flash-attention kernel
/// (ds-gpu-flash-attention); nothing on ROCm yet.
void buildGPUGraphPasses(OpPassManager &pm, GPURuntime runtime);

/// Registers `ds-gpu-cuda-pipeline`, `ds-gpu-rocm-pipeline` and the ds GPU
/// passes with the global registry, for `ds-opt`.
void registerGPUPipelines();

/// Registers what a context needs to run buildGPUPipeline: every dialect
/// and extension, the NVVM/ROCDL target interfaces, and the translations to
/// LLVM IR used to serialize device and host code.
void registerGPUTargetDialects(DialectRegistry &registry);

/// The kernels of a compiled module, as gpu-module-to-binary left them.
struct KernelImage {
  /// PTX or AMDGCN text, cubin/HSACO ELF bytes, or a fatbin.
  std::string bytes;
  KernelFormat format;
  /// Names of the kernels (gpu.func with the kernel attribute) it holds.
  SmallVector<std::string> kernels;
};

/// Finds the single `gpu.binary` of `module` and returns its one object.
/// Fails with a diagnostic when there is none or more than one.
FailureOr<KernelImage> extractKernelImage(ModuleOp module);

/// Assembles PTX into a cubin for `chip` with ptxas, which is looked up in
/// `toolkitPath`/bin, then at the configure-time path, then on PATH. Errors
/// (ptxas missing, ptxas diagnostics) are reported at `loc`.
FailureOr<std::string> assembleCubin(Location loc, StringRef ptx,
                                     StringRef chip,
                                     StringRef toolkitPath = "");

/// Assembles AMDGCN text into an HSACO (an AMDGPU ELF shared object) for
/// `chip` with llvm-mc and ld.lld from the LLVM install ds was configured
/// with.
FailureOr<std::string> assembleHSACO(Location loc, StringRef isa,
                                     StringRef chip);

} // namespace ds
} // namespace mlir

#endif // DS_TARGET_GPU_GPUTARGET_H
