//===- GPUCompile.cpp - the compile API's CUDA and ROCm paths ------------===//
#include "Internal.h"

#include "passes/Conversion/Passes.h"
#include "passes/Transforms/FuseAttention/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace mlir::ds;

std::optional<TargetKind> ds::parseTargetKind(StringRef name) {
  return llvm::StringSwitch<std::optional<TargetKind>>(name)
      .Case("cpu", TargetKind::CPU)
      .Case("cuda", TargetKind::CUDA)
      .Case("rocm", TargetKind::ROCm)
      .Default(std::nullopt);
}

StringRef ds::stringifyTargetKind(TargetKind kind) {
  switch (kind) {
  case TargetKind::CPU:
    return "cpu";
  case TargetKind::CUDA:
    return "cuda";
  case TargetKind::ROCm:
    return "rocm";
  }
  return "cpu";
}

static GPURuntime runtimeOf(TargetKind kind) {
  return kind == TargetKind::ROCm ? GPURuntime::ROCm : GPURuntime::CUDA;
}

/// The pipeline options for `options`, or a diagnostic on a bad chip.
static FailureOr<GPUPipelineOptions>
pipelineOptions(ModuleOp module, const CompileOptions &options,
                KernelFormat format) {
  if (options.targetKind == TargetKind::CPU) {
    emitError(module.getLoc()) << "expected a GPU target, found 'cpu'";
    return failure();
  }
  GPUPipelineOptions gpu;
  gpu.runtime = runtimeOf(options.targetKind);
  gpu.chip = options.chip.empty() ? getDefaultChip(gpu.runtime).str()
                                  : options.chip;
  if (auto problem = checkChip(gpu.runtime, gpu.chip)) {
    emitError(module.getLoc()) << "--chip: " << *problem;
    return failure();
  }
  gpu.toolkitPath = options.toolkitPath;
  gpu.allowTF32 = options.allowTF32;
  gpu.wgmma = options.wgmma;
  if (auto problem = checkWgmma(gpu)) {
    emitError(module.getLoc()) << "--gpu-wgmma: " << *problem;
    return failure();
  }
  if (!gpu.toolkitPath.empty() && !llvm::sys::fs::is_directory(gpu.toolkitPath)) {
    emitError(module.getLoc())
        << "--toolkit: '" << gpu.toolkitPath
        << "' is not a directory (expected a CUDA toolkit or ROCm root)";
    return failure();
  }
  gpu.format = format;
  return gpu;
}

/// Replaces the (single) object of the module's gpu.binary by `bytes` in
/// binary form, keeping its target.
static void replaceObject(ModuleOp module, StringRef bytes) {
  module.walk([&](gpu::BinaryOp binary) {
    auto old = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    auto object = gpu::ObjectAttr::get(
        module.getContext(), old.getTarget(), gpu::CompilationTarget::Binary,
        StringAttr::get(module.getContext(), bytes), old.getProperties(),
        old.getKernels());
    binary.setObjectsAttr(ArrayAttr::get(module.getContext(), {object}));
  });
}

CompileStatus ds::lowerToGPUArtifactIR(ModuleOp module,
                                       const CompileOptions &options) {
  // CUDA: a fatbin (cubin for the chip + its PTX, which the driver JITs on
  // newer chips). ROCm: MLIR's HSACO link looks for a ROCm install, so ds
  // assembles the AMDGCN text itself.
  bool cuda = options.targetKind == TargetKind::CUDA;
  FailureOr<GPUPipelineOptions> gpu = pipelineOptions(
      module, options, cuda ? KernelFormat::Fatbin : KernelFormat::Assembly);
  if (failed(gpu))
    return CompileStatus::Invalid;
  if (options.beforeStage)
    options.beforeStage("gpu");
  if (failed(detail::runPasses(module, options, [&](OpPassManager &pm) {
        buildGPUPipeline(pm, *gpu);
      })))
    return CompileStatus::Failure;
  if (!cuda) {
    FailureOr<KernelImage> image = extractKernelImage(module);
    if (failed(image))
      return CompileStatus::Failure;
    FailureOr<std::string> hsaco =
        assembleHSACO(module.getLoc(), image->bytes, gpu->chip);
    if (failed(hsaco))
      return CompileStatus::Failure;
    replaceObject(module, *hsaco);
  }
  if (options.afterStage)
    options.afterStage("gpu", module);
  return CompileStatus::Success;
}

CompileStatus ds::compileKernels(ModuleOp module, const CompileOptions &options,
                                 KernelOutput output, std::string &bytes,
                                 SmallVectorImpl<std::string> *kernels) {
  if (failed(verify(module)))
    return CompileStatus::Invalid;
  FailureOr<GPUPipelineOptions> gpu =
      pipelineOptions(module, options, KernelFormat::Assembly);
  if (failed(gpu))
    return CompileStatus::Invalid;
  if (failed(detail::checkLoopsSupported(module, options)))
    return CompileStatus::Unsupported;

  if (CompileStatus status = detail::quantizeStage(module, options);
      status != CompileStatus::Success)
    return status;
  if (options.beforeStage)
    options.beforeStage("linalg");
  if (failed(detail::runPasses(module, options, [&](OpPassManager &pm) {
        detail::addQuantizedLowering(pm, module, options);
        // As compileModel's graph stage: exported attention subgraphs
        // become dsg.attention, which CUDA runs as one flash-attention
        // kernel.
        if (options.fuseAttention && gpu->runtime == GPURuntime::CUDA) {
          pm.addPass(createFuseAttention());
          buildGPUGraphPasses(pm, gpu->runtime);
        }
        pm.addPass(createConvertGraphToLinalg());
      })))
    return CompileStatus::Failure;
  if (options.afterStage)
    options.afterStage("linalg", module);

  if (options.beforeStage)
    options.beforeStage("gpu");
  if (failed(detail::runPasses(module, options, [&](OpPassManager &pm) {
        buildGPUPipeline(pm, *gpu);
      })))
    return CompileStatus::Failure;
  if (options.afterStage)
    options.afterStage("gpu", module);

  FailureOr<KernelImage> image = extractKernelImage(module);
  if (failed(image))
    return CompileStatus::Failure;
  if (kernels)
    kernels->assign(image->kernels.begin(), image->kernels.end());
  if (output == KernelOutput::Assembly) {
    bytes = std::move(image->bytes);
    return CompileStatus::Success;
  }
  if (options.beforeStage)
    options.beforeStage("codegen");
  FailureOr<std::string> binary =
      gpu->runtime == GPURuntime::CUDA
          ? assembleCubin(module.getLoc(), image->bytes, gpu->chip,
                          gpu->toolkitPath)
          : assembleHSACO(module.getLoc(), image->bytes, gpu->chip);
  if (failed(binary))
    return CompileStatus::Failure;
  bytes = std::move(*binary);
  return CompileStatus::Success;
}
