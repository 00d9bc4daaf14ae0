//===- Boundary.cpp - the exception boundary of the ONNX importer ---------===//
//
// protobuf and ONNX (shape inference) report errors by throwing. This file is
// the only place that catches: everything below it runs inside one try block
// and every exception becomes an MLIR diagnostic.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "onnx/shape_inference/implementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <exception>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

/// Turns the graph inputs named in `options.constantInputs` into
/// initializers, before shape inference so that it sees their values.
static LogicalResult bindConstantInputs(onnx::ModelProto &model, Location loc,
                                        const ONNXImportOptions &options) {
  onnx::GraphProto *graph = model.mutable_graph();
  for (const auto &[name, bytes] : options.constantInputs) {
    if (llvm::none_of(graph->input(), [&](const onnx::ValueInfoProto &v) {
          return v.name() == name;
        })) {
      emitError(loc) << "cannot bind '" << name
                     << "': the graph has no input of that name";
      return failure();
    }
    onnx::TensorProto tensor;
    if (!tensor.ParseFromString(bytes)) {
      emitError(loc) << "cannot bind '" << name
                     << "': the value is not a serialized TensorProto";
      return failure();
    }
    tensor.set_name(name);
    auto *inits = graph->mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)
      if (inits->Get(i).name() == name)
        inits->DeleteSubrange(i, 1);
    *graph->add_initializer() = std::move(tensor);
  }
  return success();
}

static ImportResult importModel(StringRef bytes, StringRef bufferName,
                                StringRef baseDir, MLIRContext *context,
                                OwningOpRef<ModuleOp> &module,
                                const ONNXImportOptions &options) {
  Location loc = FileLineColLoc::get(context, bufferName, 0, 0);
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(loc) << "not a valid ONNX model: the protobuf cannot be parsed "
                      "(truncated or not an ONNX file)";
    return ImportResult::Invalid;
  }
  if (!model.has_graph()) {
    emitError(loc) << "not a valid ONNX model: it has no graph";
    return ImportResult::Invalid;
  }
  if (failed(bindConstantInputs(model, loc, options)))
    return ImportResult::Invalid;
  if (options.runShapeInference) {
    try {
      // Data propagation computes shapes that flow through Shape/Gather/
      // Concat into Reshape, as exported models do.
      onnx::ShapeInferenceOptions inference(/*check_type=*/false,
                                            /*error_mode=*/0,
                                            /*enable_data_propagation=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), inference);
    } catch (const std::exception &e) {
      emitError(loc) << "ONNX shape inference failed: " << e.what();
      return ImportResult::Invalid;
    }
  }
  GraphImporter importer(context, model, bufferName, baseDir, options);
  return importer.import(module);
}

ImportResult mlir::ds::importONNXBytes(StringRef bytes, StringRef bufferName,
                                       StringRef baseDir, MLIRContext *context,
                                       OwningOpRef<ModuleOp> &module,
                                       const ONNXImportOptions &options) {
  try {
    return importModel(bytes, bufferName, baseDir, context, module, options);
  } catch (const std::exception &e) {
    emitError(FileLineColLoc::get(context, bufferName, 0, 0))
        << "ONNX import failed: " << e.what();
  } catch (...) {
    emitError(FileLineColLoc::get(context, bufferName, 0, 0))
        << "ONNX import failed with an unknown exception";
  }
  module = nullptr;
  return ImportResult::Invalid;
}

ImportResult mlir::ds::importONNXFile(StringRef path, MLIRContext *context,
                                      OwningOpRef<ModuleOp> &module,
                                      const ONNXImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << buffer.getError().message();
    return ImportResult::Invalid;
  }
  SmallString<256> baseDir(llvm::sys::path::parent_path(path));
  if (baseDir.empty())
    baseDir = ".";
  return importONNXBytes((*buffer)->getBuffer(), path, baseDir, context, module,
                         options);
}
