//===- CPUTarget.h - The ds CPU back end ------------------------*- C++ -*-===//
//
// Lowers a linalg-level module (tensors in linalg/tensor/arith/math/scf, as
// the dsg→linalg conversion produces) to the LLVM dialect and writes it out as
// a shared library following docs/artifact-abi.md.
//
// Typical use:
//
//   FailureOr<ArtifactMetadata> md = buildArtifactMetadata(dsgMain);
//   ... convert dsg to linalg ...
//   if (failed(emitCPUArtifact(module, *md, "model.so")))
//     ...; // diagnostics were emitted on the module's context
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_CPU_CPUTARGET_H
#define DS_TARGET_CPU_CPUTARGET_H

#include "ds/Target/CPU/ArtifactMetadata.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
class DialectRegistry;

namespace ds {

//===----------------------------------------------------------------------===//
// Lowering pipeline
//===----------------------------------------------------------------------===//

// buildCPULoweringPipeline is declared below, after CPUTargetOptions.

/// Registers the `ds-cpu-lower-to-llvm` pipeline and the passes it uses
/// with the global registry, for `ds-opt`.
void registerCPUPipelines();

/// Adds the pass that turns dsq.qmatmul (int8 activations, dsq.weight
/// weights) and dsq.dynamic_quantize into calls of the runtime's int8
/// kernels (runtime/include/dsrt/quant_kernels.h). It runs on tensors,
/// before ds-lower-quantized lowers the remaining dsq ops portably.
void addCPUQuantizedKernelPasses(OpPassManager &pm);

/// Registers the dialects, interface models and translations the CPU back
/// end needs in a context that will run buildCPULoweringPipeline and
/// emitCPUArtifact.
void registerCPUTargetDialects(DialectRegistry &registry);

//===----------------------------------------------------------------------===//
// Artifact emission
//===----------------------------------------------------------------------===//

/// Knobs of artifact emission. The defaults compile for the host CPU.
struct CPUTargetOptions {
  /// Name of the function the artifact runs.
  std::string entryName = "main";
  /// LLVM CPU name and feature string; empty means the host's.
  std::string cpu;
  std::string features;
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
  /// The linker; empty means the ld.lld found at configure time.
  std::string linkerPath;
  /// If set, receives the optimized LLVM IR (for debugging and tests).
  llvm::raw_ostream *llvmIRDump = nullptr;
  /// Lowering steps that can be turned off to measure them
  /// (docs/performance.md): static intermediates in one arena laid out by
  /// liveness (ds-cpu-plan-buffers), and large linalg ops on the runtime's
  /// thread pool (ds-cpu-parallelize-loops).
  bool planBuffers = true;
  bool parallelizeLoops = true;
  /// Keep loops that contain loops from being unrolled by LLVM (innermost
  /// loops unroll as LLVM decides): bounds the size of the basic blocks the
  /// back end schedules, hence compile time (LoopUnrollPolicy.h).
  bool keepOuterLoopsRolled = true;
};

/// Adds the passes that take a linalg-on-tensors module to the LLVM dialect:
/// one-shot bufferization across function boundaries with identity layouts,
/// results turned into out-parameters, deallocation, linalg to loops, math
/// and arith expansion (libm for what LLVM cannot inline, bf16 emulated via
/// f32), then the conversions to LLVM. Public functions keep their names; a
/// function's memref results become trailing out-parameters. `options`
/// supplies planBuffers and parallelizeLoops.
void buildCPULoweringPipeline(OpPassManager &pm,
                              const CPUTargetOptions &options = {});

/// Adds the artifact ABI's two exported symbols to `llvmModule`, a module
/// already in the LLVM dialect: the `ds_metadata` string and a
/// `ds_entry(void **args)` wrapper that unpacks one memref descriptor per
/// metadata entry and calls `entryName`. Every other function becomes
/// internal so the artifact exports only the ABI. Fails with a diagnostic if
/// the entry's lowered signature does not match the metadata.
LogicalResult addArtifactEntryPoints(ModuleOp llvmModule,
                                     const ArtifactMetadata &metadata,
                                     StringRef entryName = "main");

/// Translates `llvmModule` (LLVM dialect, with entry points added) to LLVM
/// IR, optimizes it for the target and writes a relocatable object to `os`.
LogicalResult emitObject(ModuleOp llvmModule, const CPUTargetOptions &options,
                         llvm::raw_pwrite_stream &os);

/// Links `objectPath` into the shared library `outputPath` with ld.lld.
/// `diagLoc` is where failures are reported.
LogicalResult linkSharedLibrary(Location diagLoc, StringRef objectPath,
                                StringRef outputPath,
                                const CPUTargetOptions &options);

/// Writes the shared library `outputPath` from `llvmModule`, the output of
/// buildCPULoweringPipeline: adds the entry points (modifying the module),
/// compiles to a temporary object and links it.
LogicalResult writeCPUArtifact(ModuleOp llvmModule,
                               const ArtifactMetadata &metadata,
                               StringRef outputPath,
                               const CPUTargetOptions &options = {});

/// The whole back end: runs buildCPULoweringPipeline on `linalgModule`
/// (modified in place), adds the entry points, and writes the shared
/// library `outputPath`. Identical inputs give byte-identical files.
LogicalResult emitCPUArtifact(ModuleOp linalgModule,
                              const ArtifactMetadata &metadata,
                              StringRef outputPath,
                              const CPUTargetOptions &options = {});

} // namespace ds
} // namespace mlir

#endif // DS_TARGET_CPU_CPUTARGET_H
