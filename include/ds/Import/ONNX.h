//===- ONNX.h - ONNX importer -----------------------------------*- C++ -*-===//
//
// Imports an ONNX model into a module holding `func.func @main` over dsg ops.
// Each argument and result of @main carries a `ds.name` string attribute with
// the ONNX graph input/output name.
//
//===----------------------------------------------------------------------===//
#ifndef DS_IMPORT_ONNX_H
#define DS_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>

namespace mlir::ds {

/// The outcome of an import. `Unsupported` means the model is valid ONNX but
/// uses an op, opset, attribute or type that ds does not handle yet; `Invalid`
/// means the model itself is malformed. Either way diagnostics were emitted
/// through the context's diagnostic engine.
enum class ImportResult { Success, Unsupported, Invalid };

struct ONNXImportOptions {
  /// Initializers with at least this many bytes become `dense_resource`
  /// blobs instead of inline `dense<...>` literals.
  size_t resourceThresholdBytes = 1024;
  /// Run ONNX shape inference before importing (strongly recommended).
  bool runShapeInference = true;
  /// Graph inputs to bind to constant values: input name -> serialized
  /// onnx.TensorProto (as in the backend tests' input_N.pb files). Bound
  /// inputs become constants, not arguments of @main, so that inputs ds
  /// needs statically (Reshape shapes, Unsqueeze axes) can be supplied.
  std::map<std::string, std::string> constantInputs;
};

/// Imports the model in the file at `path`. External-data tensors are
/// resolved relative to the model's directory.
ImportResult importONNXFile(llvm::StringRef path, MLIRContext *context,
                            OwningOpRef<ModuleOp> &module,
                            const ONNXImportOptions &options = {});

/// Imports a serialized ModelProto. `bufferName` is used in diagnostics;
/// `baseDir` is where external-data files are looked up ("" disables them).
ImportResult importONNXBytes(llvm::StringRef bytes, llvm::StringRef bufferName,
                             llvm::StringRef baseDir, MLIRContext *context,
                             OwningOpRef<ModuleOp> &module,
                             const ONNXImportOptions &options = {});

} // namespace mlir::ds

#endif // DS_IMPORT_ONNX_H
