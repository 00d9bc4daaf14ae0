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

/// Loads `path` into `module`: `.onnx` through the ONNX importer, anything
/// else parsed as MLIR. The context must have the dialects of
/// registerCompilerDialects.
CompileStatus loadModel(llvm::StringRef path, MLIRContext &context,
                        OwningOpRef<ModuleOp> &module);

struct CompileOptions {
  /// Back-end options; `target.entryName` names the function to compile.
  CPUTargetOptions target;
  /// If non-empty, the options of `ds-quantize` (e.g. "weights=int8" or
  /// "weights=int4 group=128 activations=none"), run before lowering; see
  /// docs/quantization.md. "int8"/"int4" are short for "weights=int8"/
  /// "weights=int4"; "default" quantizes with the pass's defaults.
  std::string quantize;
  /// Called on each PassManager before it runs, e.g. to apply
  /// `applyPassManagerCLOptions` (IR printing, timing) in a tool.
  std::function<LogicalResult(PassManager &)> configurePassManager;
  /// Called with the module after each stage: "linalg" after dsg→linalg
  /// conversion, "llvm" after the CPU lowering pipeline.
  std::function<void(llvm::StringRef stage, ModuleOp module)> afterStage;
  /// Called as each stage starts, for progress reports: "import" (in
  /// compileFile), "linalg", "llvm", then "codegen" (LLVM IR, object code,
  /// link).
  std::function<void(llvm::StringRef stage)> beforeStage;
};

/// Compiles `module` (dsg or already linalg level, modified in place) into
/// the shared library `artifactPath` (docs/artifact-abi.md). The metadata is
/// taken from the entry function before conversion, while its types and
/// `ds.name` attributes are still the model's.
CompileStatus compileModel(ModuleOp module, const CompileOptions &options,
                           llvm::StringRef artifactPath);

/// loadModel followed by compileModel, in a fresh module of `context`.
CompileStatus compileFile(llvm::StringRef modelPath, MLIRContext &context,
                          const CompileOptions &options,
                          llvm::StringRef artifactPath);

} // namespace mlir::ds

#endif // DS_COMPILER_COMPILER_H
