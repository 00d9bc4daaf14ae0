//===- Pipeline.cpp - linalg-on-tensors → host LLVM + device binary ------===//
//
// The order follows the data: fuse on tensors, bufferize exactly as the CPU
// back end does (so artifacts share one ABI), turn every op into parallel
// loops, distribute, outline, then lower device and host code separately.
//
//===----------------------------------------------------------------------===//
#include "ds/Target/GPU/GPUTarget.h"

#include "Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

#ifndef DS_CUDA_TOOLKIT_PATH
#define DS_CUDA_TOOLKIT_PATH ""
#endif

StringRef ds::stringifyGPURuntime(GPURuntime runtime) {
  return runtime == GPURuntime::CUDA ? "cuda" : "rocm";
}

StringRef ds::getDefaultChip(GPURuntime runtime) {
  return runtime == GPURuntime::CUDA ? "sm_80" : "gfx942";
}

std::optional<std::string> ds::checkChip(GPURuntime runtime, StringRef chip) {
  auto digitsThen = [](StringRef s, StringRef suffixes) {
    size_t n = 0;
    while (n < s.size() && llvm::isDigit(s[n]))
      ++n;
    StringRef rest = s.drop_front(n);
    return n > 0 && (rest.empty() || (rest.size() == 1 &&
                                      suffixes.contains(rest.front())));
  };
  if (runtime == GPURuntime::CUDA) {
    if (chip.starts_with("sm_") && digitsThen(chip.drop_front(3), "af"))
      return std::nullopt;
    return ("expected a CUDA chip such as sm_80 or sm_90a, found '" + chip +
            "'")
        .str();
  }
  // gfx90a, gfx942, gfx1100: a digit run with an optional trailing
  // hexadecimal stepping letter.
  if (chip.starts_with("gfx") && chip.size() > 4) {
    StringRef rest = chip.drop_front(3);
    if (llvm::all_of(rest, llvm::isHexDigit) && llvm::isDigit(rest.front()))
      return std::nullopt;
  }
  return ("expected a ROCm chip such as gfx90a or gfx942, found '" + chip +
          "'")
      .str();
}

std::optional<std::string>
ds::checkWgmma(const GPUPipelineOptions &options) {
  if (!options.wgmma)
    return std::nullopt;
  if (options.runtime != GPURuntime::CUDA || options.chip != "sm_90a")
    return std::string("wgmma kernels need --target=cuda --chip=sm_90a "
                       "(wgmma is an sm_90a-only instruction)");
  return std::nullopt;
}

/// libdevice for NVVM's math lowering (__nv_* functions), if the toolkit
/// has it.
static std::string findLibdevice(StringRef toolkit) {
  SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return llvm::sys::fs::exists(path) ? std::string(path) : std::string();
}

static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void ds::buildGPUGraphPasses(OpPassManager &pm, GPURuntime runtime) {
  if (runtime == GPURuntime::CUDA)
    pm.addPass(createFlashAttentionPass());
}

void ds::buildGPUPipeline(OpPassManager &pm,
                          const GPUPipelineOptions &options) {
  bool cuda = options.runtime == GPURuntime::CUDA;
  std::string chip =
      options.chip.empty() ? getDefaultChip(options.runtime).str()
                           : options.chip;
  std::string toolkit = options.toolkitPath;
  if (toolkit.empty() && cuda)
    toolkit = DS_CUDA_TOOLKIT_PATH;

  // Tensors: chains of elementwise ops (bias add, activation, residual
  // add) become one generic each, so they become one kernel each.
  // On CUDA the named matmuls stay named (and their reshapes views) so that
  // ds-gpu-tensor-core-matmul can take them.
  FuseElementwisePassOptions fusion;
  // On ROCm likewise for ds-gpu-mfma-matmul.
  fusion.keepMatmuls = options.tensorCores;
  pm.addPass(createFuseElementwisePass(fusion));
  addCleanup(pm);

  // Buffers: the same boundary contract as the CPU back end
  // (docs/artifact-abi.md): identity layouts, results as out-parameters.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  addCleanup(pm);
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  bool deviceMemory = options.mapHostMemory && options.deviceMemory;
  if (deviceMemory)
    pm.addPass(createDeviceMemoryPass());
  else if (options.mapHostMemory)
    pm.addNestedPass<func::FuncOp>(createMapHostMemoryPass());

  // Hand-built kernels, after deallocation (which rejects GPU ops): the
  // calls ds-gpu-flash-attention left become flash-attention launches;
  // contractions with a tensor-core kernel become tiled launches
  // (shared-memory tiles, ldmatrix, mma.sync); the rest take the SIMT path.
  ExpandFlashAttentionPassOptions attention;
  attention.tensorCores = cuda && options.tensorCores;
  pm.addPass(createExpandFlashAttentionPass(attention));
  // The calls ds-gpu-quantized-matmul left: int8 GEMM and quantization.
  pm.addPass(createExpandQuantizedPass());
  // sm_90a with wgmma: the f16/bf16 matmuls it takes become warpgroup-MMA
  // kernels; mma.sync gets the rest.
  bool wgmma = cuda && options.tensorCores && options.wgmma;
  if (wgmma) {
    WarpgroupMatmulPassOptions warpgroup;
    warpgroup.chip = chip;
    pm.addNestedPass<func::FuncOp>(createWarpgroupMatmulPass(warpgroup));
  }
  if (cuda && options.tensorCores) {
    TensorCoreMatmulPassOptions tensorCores;
    tensorCores.allowTF32 = options.allowTF32;
    pm.addNestedPass<func::FuncOp>(createTensorCoreMatmulPass(tensorCores));
  }
  // ROCm: the same on CDNA matrix cores (amdgpu.mfma), for chips that
  // have them; the pass leaves other chips' matmuls to the SIMT path.
  if (!cuda && options.tensorCores) {
    MfmaMatmulPassOptions mfma;
    mfma.chip = chip;
    pm.addNestedPass<func::FuncOp>(createMfmaMatmulPass(mfma));
  }

  // Every op, copies included, becomes a parallel loop nest, then a grid.
  pm.addNestedPass<func::FuncOp>(createCopiesToLinalgPass());
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  addCleanup(pm);
  // Epilogues into their producers: adjacent loop nests over the same
  // space whose second reads only what the same iteration of the first
  // wrote (fill → matmul → bias/activation) become one nest, hence one
  // kernel, with the intermediate kept per thread.
  pm.addNestedPass<func::FuncOp>(createParallelLoopFusionPass());
  addCleanup(pm);
  DistributeParallelLoopsPassOptions distribute;
  distribute.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createDistributeParallelLoopsPass(distribute));
  pm.addPass(createConvertParallelLoopToGpuPass());
  // Constants and index math used in a launch body go into it: otherwise
  // canonicalization has hoisted them out and outlining passes each one as
  // a kernel parameter (register-held values where immediates belong).
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMergeKernelModulesPass());
  // Copies, allocations and launches on one stream per call, synchronized
  // once before the return.
  if (deviceMemory)
    pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  // ldmatrix and vector accesses need 16-byte-aligned shared tiles.
  pm.addPass(createAlignWorkgroupMemoryPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  addCleanup(pm);

  // Device code.
  if (cuda) {
    GpuNVVMAttachTargetOptions target;
    target.chip = chip;
    target.features = options.features;
    target.optLevel = 3;
    if (std::string libdevice = findLibdevice(toolkit); !libdevice.empty())
      target.linkLibs.push_back(libdevice);
    pm.addPass(createGpuNVVMAttachTarget(target));
  } else {
    GpuROCDLAttachTargetOptions target;
    target.chip = chip;
    target.features = options.features;
    target.optLevel = 3;
    pm.addPass(createGpuROCDLAttachTarget(target));
  }
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  // Self-contained math: no ocml on ROCm, fewer libdevice calls on CUDA.
  device.addPass(createApproximateMathPass());
  device.addPass(arith::createArithExpandOpsPass());
  if (cuda) {
    device.addPass(createLowerBF16MmaPass());
    device.addPass(createConvertNVGPUToNVVMPass());
    // Also lowers the vector ops of the tensor-core and attention kernels
    // (convert-vector-to-llvm alone cannot map workgroup memory spaces).
    device.addPass(createConvertGpuOpsToNVVMOps());
    // The wgmma and fence.proxy NVVM ops are inline-PTX ops. Only with
    // wgmma, so that no other kernel's lowering changes.
    if (wgmma)
      device.addPass(createConvertNVVMToLLVMPass());
  } else {
    ConvertGpuOpsToROCDLOpsOptions rocdl;
    rocdl.chipset = chip;
    rocdl.runtime = gpu::amd::Runtime::HIP;
    device.addPass(createConvertGpuOpsToROCDLOps(rocdl));
  }
  device.addPass(createReconcileUnrealizedCastsPass());

  // Host code: launches become mgpu* runtime calls (runtime/lib/gpu).
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  addCleanup(pm);

  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = toolkit;
  switch (options.format) {
  case KernelFormat::Assembly:
    binary.compilationTarget = "isa";
    break;
  case KernelFormat::Binary:
    binary.compilationTarget = "bin";
    break;
  case KernelFormat::Fatbin:
    binary.compilationTarget = "fatbin";
    break;
  }
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

namespace {
struct GPUPipelineCLOptions
    : public PassPipelineOptions<GPUPipelineCLOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("Target chip (sm_90, gfx942, ...)"),
                           llvm::cl::init("")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("Target features (+ptx80)"),
                               llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block"),
                            llvm::cl::init(256)};
  Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("Tiled matrix-core matmul kernels (CUDA mma.sync, "
                     "ROCm MFMA)"),
      llvm::cl::init(true)};
  Option<bool> allowTF32{
      *this, "allow-tf32",
      llvm::cl::desc("CUDA: f32 matmuls on tensor cores in tf32"),
      llvm::cl::init(false)};
  Option<bool> wgmma{
      *this, "wgmma",
      llvm::cl::desc("CUDA sm_90a: f16/bf16 matmuls as warpgroup-MMA "
                     "(wgmma) kernels (unverified on a device)"),
      llvm::cl::init(false)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel output: isa (PTX/AMDGCN text), bin "
                     "(cubin/HSACO) or fatbin (CUDA)"),
      llvm::cl::init("isa")};
  Option<bool> mapHostMemory{
      *this, "map-host-memory",
      llvm::cl::desc("Make host buffers reachable from kernels (runnable "
                     "artifacts)"),
      llvm::cl::init(true)};
  Option<bool> deviceMemory{
      *this, "device-memory",
      llvm::cl::desc("Keep constants, intermediates and staged caller "
                     "buffers in device memory (else host-mapped memory)"),
      llvm::cl::init(true)};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit / ROCm path"),
                              llvm::cl::init("")};
};

LogicalResult buildFromCL(OpPassManager &pm, const GPUPipelineCLOptions &cl,
                          ds::GPURuntime runtime,
                          function_ref<LogicalResult(const Twine &)> error) {
  ds::GPUPipelineOptions options;
  options.runtime = runtime;
  options.chip = cl.chip;
  if (!options.chip.empty())
    if (auto problem = ds::checkChip(runtime, options.chip))
      return error(*problem);
  options.features = cl.features;
  options.blockSize = cl.blockSize;
  options.tensorCores = cl.tensorCores;
  options.allowTF32 = cl.allowTF32;
  options.wgmma = cl.wgmma;
  if (auto problem = ds::checkWgmma(options))
    return error(*problem);
  options.toolkitPath = cl.toolkit;
  options.mapHostMemory = cl.mapHostMemory;
  options.deviceMemory = cl.deviceMemory;
  if (cl.format == "isa")
    options.format = ds::KernelFormat::Assembly;
  else if (cl.format == "bin")
    options.format = ds::KernelFormat::Binary;
  else if (cl.format == "fatbin" && runtime == ds::GPURuntime::CUDA)
    options.format = ds::KernelFormat::Fatbin;
  else
    return error("unknown format '" + cl.format +
                 "': expected isa, bin" +
                 (runtime == ds::GPURuntime::CUDA ? " or fatbin" : ""));
  ds::buildGPUPipeline(pm, options);
  return success();
}
} // namespace

/// Registers one pipeline; unlike PassPipelineRegistration, option errors
/// (a chip of the wrong family, an unknown format) reach the caller.
static void registerPipeline(StringRef arg, StringRef description,
                             ds::GPURuntime runtime) {
  registerPassPipeline(
      arg, description,
      [runtime](OpPassManager &pm, StringRef optionsStr,
                function_ref<LogicalResult(const Twine &)> error) {
        GPUPipelineCLOptions cl;
        if (failed(cl.parseFromString(optionsStr)))
          return failure();
        return buildFromCL(pm, cl, runtime, error);
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(GPUPipelineCLOptions());
      });
}

void ds::registerGPUPipelines() {
  registerDSTargetGPUPasses();
  registerPipeline("ds-gpu-cuda-pipeline",
                   "Lower a linalg-on-tensors module to host LLVM code and "
                   "one CUDA kernel binary (NVVM → PTX/cubin)",
                   GPURuntime::CUDA);
  registerPipeline("ds-gpu-rocm-pipeline",
                   "Lower a linalg-on-tensors module to host LLVM code and "
                   "one ROCm kernel binary (ROCDL → AMDGCN/HSACO)",
                   GPURuntime::ROCm);
}

void ds::registerGPUTargetDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}
