//===- ArtifactMetadata.h - Describe a model's inputs/outputs ---*- C++ -*-===//
//
// The `ds_metadata` JSON an artifact exports (docs/artifact-abi.md). It is
// built from the entry function *before* dsg→linalg conversion: only there do
// tensor element types still tell unsigned integers (`ui8`) from signed ones
// (signless `i8`), and the lowered function has lost its `ds.name` attributes
// anyway.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_CPU_ARTIFACTMETADATA_H
#define DS_TARGET_CPU_ARTIFACTMETADATA_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::ds {

/// One input or output of a compiled model.
struct TensorMetadata {
  std::string name;
  /// ONNX-style dtype name: "float32", "uint8", "bool", ...
  std::string dtype;
  /// Static sizes; ShapedType::kDynamic is written as -1.
  llvm::SmallVector<int64_t> shape;
};

/// Everything the runtime needs to call an artifact.
struct ArtifactMetadata {
  /// Version of the metadata format written for models whose outputs all
  /// have static shapes. Version 2: `ds_entry` returns an int32 status
  /// (non-zero: a collective failed) and the caller allocates the outputs.
  static constexpr int kStaticOutputsVersion = 2;
  /// Version 3, for models with an output of dynamic shape: `ds_entry`
  /// allocates every output and writes its descriptor; the caller releases
  /// the buffers with the artifact's `ds_free` (docs/artifact-abi.md).
  static constexpr int kDynamicOutputsVersion = 3;

  /// The version this metadata is written as.
  int version() const {
    return hasDynamicOutputs() ? kDynamicOutputsVersion
                               : kStaticOutputsVersion;
  }
  /// Whether some output has a dimension known only at run time.
  bool hasDynamicOutputs() const;

  /// Number of ranks the model was partitioned for (1: not distributed).
  int64_t ranks = 1;

  llvm::SmallVector<TensorMetadata> inputs;
  llvm::SmallVector<TensorMetadata> outputs;

  /// Serializes to the JSON form the runtime parses. The output depends only
  /// on the contents, so artifacts stay byte-for-byte reproducible.
  std::string toJSON() const;
};

/// The attribute on entry-function arguments and results that names them.
inline constexpr llvm::StringLiteral kTensorNameAttr = "ds.name";

/// Returns the ABI dtype name of a tensor element type ("float32",
/// "uint8", ...) or an empty string if the ABI has no such dtype.
std::string getDTypeName(Type elementType);

/// Builds the metadata of `func`, whose arguments and results must be ranked
/// tensors of ABI element types. Names come from `ds.name` attributes
/// (`input<i>` / `output<i>` when absent). Emits a diagnostic on `func` and
/// fails for anything the ABI cannot express. Dynamic output dimensions make
/// it a version 3 artifact (callee-allocated outputs).
FailureOr<ArtifactMetadata> buildArtifactMetadata(func::FuncOp func);

} // namespace mlir::ds

#endif // DS_TARGET_CPU_ARTIFACTMETADATA_H
