//===- Internal.h - shared between the compile API's sources ----*- C++ -*-===//
#ifndef DS_LIB_COMPILER_INTERNAL_H
#define DS_LIB_COMPILER_INTERNAL_H

#include "ds/Compiler/Compiler.h"

namespace mlir::ds {
namespace detail {
/// Runs `build`'s passes on `module`, configured by the caller's hook.
LogicalResult runPasses(ModuleOp module, const CompileOptions &options,
                        function_ref<void(OpPassManager &)> build);
/// Diagnoses the loops (scf.while from ONNX Loop) of `module` when
/// `options` do not compile for the CPU without --shard.
LogicalResult checkLoopsSupported(ModuleOp module,
                                  const CompileOptions &options);
/// The quantize stage: ds-quantize as `options.quantize` says (nothing
/// when it is empty); ROCm is refused.
CompileStatus quantizeStage(ModuleOp module, const CompileOptions &options);
/// Adds the dsq → linalg/kernel passes for `options.targetKind` when the
/// module holds dsq ops.
void addQuantizedLowering(OpPassManager &pm, ModuleOp module,
                          const CompileOptions &options);
} // namespace detail

/// Runs the GPU pipeline for `options.targetKind` on a linalg-level module,
/// leaving LLVM-dialect host code and one gpu.binary with a loadable kernel
/// image (CUDA: a fatbin with cubin and PTX; ROCm: an HSACO).
CompileStatus lowerToGPUArtifactIR(ModuleOp module,
                                   const CompileOptions &options);
} // namespace mlir::ds

#endif // DS_LIB_COMPILER_INTERNAL_H
