//===- Compiler.h - The ds compile API --------------------------*- C++ -*-===//
//
// What tools and embedding frameworks call: load a model (ONNX or MLIR),
// compile it to a CPU artifact, learn whether a failure means "ds does not
// support this yet" or "the input is broken". Diagnostics go through the
// MLIRContext's diagnostic engine; install a handler to capture them.
//
//   DialectRegistry registry;
//   registerCompilerDialects(registry);
//   MLIRContext ctx(registry);
//   OwningOpRef<ModuleOp> module;
//   CompileStatus status = loadModel("model.onnx", ctx, module);
//   if (status == CompileStatus::Success)
//     status = compileModel(*module, CompileOptions(), "model.so");
//   return getExitCode(status);
//
//===----------------------------------------------------------------------===//
#ifndef DS_COMPILER_COMPILER_H
#define DS_COMPILER_COMPILER_H

#include "ds/Target/CPU/CPUTarget.h"
#include "ds/Target/GPU/GPUTarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"

#include <functional>

namespace mlir::ds {

/// Outcome of loading or compiling a model.
enum class CompileStatus {
  Success,
  /// Valid input that uses something ds does not handle yet (an op, a
  /// dtype, a dynamic output shape, ...).
  Unsupported,
  /// Malformed input: unparsable file, failed verification, no entry.
  Invalid,
  /// The back end failed (code generation, linking, I/O).
  Failure,
};

/// The process exit code tools use for `status`: 0 on success, 3 for
/// unsupported input, 1 otherwise. Test harnesses rely on the 3.
int getExitCode(CompileStatus status);

/// A short lowercase name ("unsupported", ...) for messages.
llvm::StringRef stringifyCompileStatus(CompileStatus status);

/// Adds everything a context needs to load and compile models: the ds
/// dialects and the upstream dialects, interfaces and translations used by
/// the back end.
void registerCompilerDialects(DialectRegistry &registry);

/// Lets `ds-quantize{calibration=DIR}` run models: attaches a runner that
/// compiles with compileModel and runs with the runtime to the dsq dialect
/// (passes/Quantization/Calibration.h). registerCompilerDialects calls it.
void registerCalibrationRunner(DialectRegistry &registry);

/// Loads `path` into `module`: `.onnx` through the ONNX importer, anything
/// else parsed as MLIR. The context must have the dialects of
/// registerCompilerDialects.
CompileStatus loadModel(llvm::StringRef path, MLIRContext &context,
                        OwningOpRef<ModuleOp> &module);

/// The back ends a model can be compiled for.
enum class TargetKind { CPU, CUDA, ROCm };

/// Parses "cpu", "cuda" or "rocm".
std::optional<TargetKind> parseTargetKind(llvm::StringRef name);
llvm::StringRef stringifyTargetKind(TargetKind kind);

/// Distribution: the model is partitioned over a `dp` x `tp` grid of ranks
/// (docs/distribution.md); 1 x 1 compiles it for one process.
struct ShardOptions {
  int64_t tp = 1; ///< Tensor-parallel degree (Megatron-style layers).
  int64_t dp = 1; ///< Data-parallel degree (batch split).
  int64_t ranks() const { return tp * dp; }
};

/// Parses "tp=4", "dp=2 tp=2" or "tp=2,dp=2" into `options`; on failure
/// returns false and sets `error`.
bool parseShardOptions(llvm::StringRef spec, ShardOptions &options,
                       std::string &error);

struct CompileOptions {
  /// Host-code options (the CPU back end writes the host part of GPU
  /// artifacts too); `target.entryName` names the function to compile.
  CPUTargetOptions target;
  /// Graph-level optimizations, run on dsg before conversion ("graph"
  /// stage). ds-fuse-attention: exported attention subgraphs become
  /// dsg.attention (a tiled online-softmax kernel).
  bool fuseAttention = true;
  /// Where the model's kernels run.
  TargetKind targetKind = TargetKind::CPU;
  /// GPU chip (sm_90, gfx942, ...); empty means getDefaultChip.
  std::string chip;
  /// CUDA toolkit or ROCm root for GPU targets; empty means the configured
  /// one.
  std::string toolkitPath;
  /// CUDA: also run f32 matmuls on tensor cores in tf32 (m16n8k8; about
  /// 1e-3 relative error per product). f16 matmuls use them regardless.
  bool allowTF32 = false;
  /// CUDA sm_90a: f16/bf16 matmuls as warpgroup-MMA (wgmma) kernels
  /// (GPUPipelineOptions::wgmma; unverified on a device, off by default).
  bool wgmma = false;
  /// Tensor/data parallelism; the artifact then runs under mpirun with
  /// `shard.ranks()` ranks.
  ShardOptions shard;
  /// If non-empty, a cluster description (JSON or YAML, docs/topology.md)
  /// for distributed builds: ds-lower-topology chooses the algorithm of
  /// every collective for it (ring, tree, Rabenseifner, hierarchical). Its
  /// rank count must equal `shard.ranks()` (or the grid's size for
  /// hand-written shard/dsc IR). Empty: collectives keep `algorithm = auto`
  /// and the runtime chooses at run time.
  std::string topology;
  /// With `topology`: report every candidate schedule and its predicted time
  /// per collective (remarks, as `--ds-topology-report` prints them).
  bool topologyReport = false;
  /// If non-empty, the options of `ds-quantize` (e.g. "weights=int8" or
  /// "weights=int4 group=128 activations=none"), run before lowering; see
  /// docs/quantization.md. "int8"/"int4" are short for "weights=int8"/
  /// "weights=int4"; "default" quantizes with the pass's defaults.
  std::string quantize;
  /// Called on each PassManager before it runs, e.g. to apply
  /// `applyPassManagerCLOptions` (IR printing, timing) in a tool.
  std::function<LogicalResult(PassManager &)> configurePassManager;
  /// Called with the module after each stage: "graph" after the dsg-level
  /// optimizations, "linalg" after dsg→linalg conversion, "shard" after
  /// partitioning (distributed builds only), "llvm" after the lowering
  /// pipeline.
  std::function<void(llvm::StringRef stage, ModuleOp module)> afterStage;
  /// Called as each stage starts, for progress reports: "import" (in
  /// compileFile), "graph", "linalg", "llvm", then "codegen" (LLVM IR,
  /// object code, link).
  std::function<void(llvm::StringRef stage)> beforeStage;
};

/// Compiles `module` (dsg or already linalg level, modified in place) into
/// the shared library `artifactPath` (docs/artifact-abi.md). The metadata is
/// taken from the entry function before conversion, while its types and
/// `ds.name` attributes are still the model's.
CompileStatus compileModel(ModuleOp module, const CompileOptions &options,
                           llvm::StringRef artifactPath);

/// The device code a GPU compilation can stop at.
enum class KernelOutput {
  /// PTX (CUDA) or AMDGCN assembly (ROCm) text.
  Assembly,
  /// A cubin (through ptxas) or an HSACO (through llvm-mc and ld.lld).
  Binary,
};

/// Compiles `module` for `options.targetKind` (CUDA or ROCm) as far as the
/// device code and returns the kernel image of every kernel of the model in
/// `bytes`; `kernels` receives the kernel names. Host code is discarded.
CompileStatus compileKernels(ModuleOp module, const CompileOptions &options,
                             KernelOutput output, std::string &bytes,
                             SmallVectorImpl<std::string> *kernels = nullptr);

/// loadModel followed by compileModel, in a fresh module of `context`.
CompileStatus compileFile(llvm::StringRef modelPath, MLIRContext &context,
                          const CompileOptions &options,
                          llvm::StringRef artifactPath);

} // namespace mlir::ds

#endif // DS_COMPILER_COMPILER_H
