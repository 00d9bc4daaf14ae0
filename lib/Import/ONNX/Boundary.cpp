//===- Boundary.cpp - the exception boundary of the ONNX importer ---------===//
//
// protobuf and ONNX (shape inference) report errors by throwing. This file is
// the only place that catches: everything below it runs inside one try block
// and every exception becomes an MLIR diagnostic.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <exception>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define DS_HAVE_SANITIZER_INTERFACE 1
#endif
#endif

#include <sys/wait.h>
#include <unistd.h>

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

namespace {
/// Checks that every node input names a value defined before it: a graph
/// input, an initializer, an output of an earlier node of the same graph or,
/// in a subgraph (If/Loop/Scan bodies), a value visible where the owning node
/// sits. ONNX shape inference dereferences the type of each input without
/// checking that it exists (libonnx 1.12 crashes on a Shape node whose input
/// is undefined; found by onnx-import-fuzzer), so this must hold before it
/// runs. The message is the one the importer gives for the same mistake.
class ReferenceChecker {
public:
  ReferenceChecker(const onnx::ModelProto &model, MLIRContext *context,
                   Location fileLoc)
      : context(context), fileLoc(fileLoc) {
    for (const onnx::OperatorSetIdProto &id : model.opset_import())
      opsets[id.domain() == "ai.onnx" ? "" : id.domain()] = id.version();
  }

  LogicalResult check(const onnx::GraphProto &graph) {
    // An index, not a reference: subgraphs push scopes, which may move them.
    size_t depth = scopes.size();
    scopes.emplace_back();
    for (const onnx::ValueInfoProto &input : graph.input())
      scopes[depth].insert(input.name());
    for (const onnx::TensorProto &init : graph.initializer())
      scopes[depth].insert(init.name());
    for (const onnx::SparseTensorProto &init : graph.sparse_initializer())
      scopes[depth].insert(init.values().name());
    for (auto [index, node] : llvm::enumerate(graph.node())) {
      for (const std::string &input : node.input())
        if (!input.empty() && !isDefined(input))
          return fail(node, index, input);
      for (const onnx::AttributeProto &attr : node.attribute()) {
        if (attr.has_g() && failed(check(attr.g())))
          return failure();
        for (const onnx::GraphProto &sub : attr.graphs())
          if (failed(check(sub)))
            return failure();
      }
      for (const std::string &output : node.output())
        if (!output.empty())
          scopes[depth].insert(output);
    }
    scopes.pop_back();
    return success();
  }

private:
  bool isDefined(StringRef name) const {
    return llvm::any_of(scopes, [&](const llvm::StringSet<> &scope) {
      return scope.contains(name);
    });
  }
  LogicalResult fail(const onnx::NodeProto &node, unsigned index,
                     StringRef input) {
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(index)
                           : node.name();
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    auto it = opsets.find(domain);
    int64_t opset = it == opsets.end() ? 0 : it->second;
    emitError(NameLoc::get(StringAttr::get(context, name), fileLoc))
        << NodeContext::nodeName(node, index) << " (" << node.op_type()
        << ", opset " << opset << ") uses '" << input
        << "', which no earlier node, graph input or initializer defines";
    return failure();
  }

  MLIRContext *context;
  Location fileLoc;
  std::map<std::string, int64_t> opsets;
  std::vector<llvm::StringSet<>> scopes;
};
} // namespace

/// Verifies every node (subgraphs included) against its ONNX schema: input
/// and output counts, required attributes, attribute types. libonnx 1.12's
/// shape inference functions assume a node that passes this (Scan without
/// `num_scan_inputs` crashed it; found by onnx-import-fuzzer), so it runs
/// first. Ops without a schema are left to the importer, which reports them
/// as unsupported.
static bool verifyNodeSchemas(const onnx::GraphProto &graph,
                              const std::map<std::string, int64_t> &opsets,
                              MLIRContext *context, Location fileLoc) {
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    auto it = opsets.find(domain);
    if (it != opsets.end()) {
      const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
          node.op_type(), static_cast<int>(it->second), domain);
      if (schema) {
        try {
          schema->Verify(node);
        } catch (const std::exception &e) {
          std::string name = node.name().empty()
                                 ? node.op_type() + "_" + std::to_string(index)
                                 : node.name();
          emitError(NameLoc::get(StringAttr::get(context, name), fileLoc))
              << NodeContext::nodeName(node, index) << " (" << node.op_type()
              << ", opset " << it->second << "): " << e.what();
          return false;
        }
      }
    }
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g() && !verifyNodeSchemas(attr.g(), opsets, context, fileLoc))
        return false;
      for (const onnx::GraphProto &sub : attr.graphs())
        if (!verifyNodeSchemas(sub, opsets, context, fileLoc))
          return false;
    }
  }
  return true;
}

/// ds needs the element type and rank of every graph input (other than
/// initializer defaults), and so do some of libonnx 1.12's shape inference
/// functions, which dereference a missing shape (MaxUnpool with unranked
/// indices crashed; found by onnx-import-fuzzer). Checked before inference
/// runs, with the importer's message for the same case.
static bool checkGraphInputTypes(const onnx::GraphProto &graph,
                                 MLIRContext *context, Location fileLoc) {
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.contains(input.name()) || !input.type().has_tensor_type())
      continue; // Defaults are constants; other types are the importer's.
    const onnx::TypeProto::Tensor &tensor = input.type().tensor_type();
    if (tensor.elem_type() != 0 && tensor.has_shape())
      continue;
    emitError(NameLoc::get(StringAttr::get(context, input.name()), fileLoc))
        << "graph input '" << input.name()
        << "' has no element type or rank";
    return false;
  }
  return true;
}

/// Runs ONNX shape inference on `model` in place. Data propagation computes
/// shapes that flow through Shape/Gather/Concat into Reshape, as exported
/// models do.
static void runShapeInference(onnx::ModelProto &model) {
  onnx::ShapeInferenceOptions inference(/*check_type=*/false,
                                        /*error_mode=*/0,
                                        /*enable_data_propagation=*/true);
  onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                     inference);
}

/// libonnx 1.12's per-op inference functions trust their inputs: some
/// dereference shapes or index dimensions that a malformed model lacks
/// (onnx-import-fuzzer found MaxUnpool, Scan, EyeLike and Gemm-6 cases), and
/// patching them op by op does not end. So inference first runs on a copy in
/// a forked child: if the child dies (signal, or a sanitizer's report), the
/// model is rejected instead of crashing the compiler or the process that
/// embeds it. A thrown error exits the child normally; the caller then
/// reruns inference in-process to report its message. Where fork() fails the
/// check is skipped (inference then runs unguarded, as before).
static bool shapeInferenceSurvives(const onnx::ModelProto &model) {
  constexpr int kThrew = 3;
  pid_t child = fork();
  if (child < 0)
    return true;
  if (child == 0) {
#ifdef DS_HAVE_SANITIZER_INTERFACE
    // The child's death is the expected outcome for a bad model: a fuzzer's
    // death callback (which saves the input as a crash) must not run here.
    __sanitizer_set_death_callback(nullptr);
#endif
    int status = 0;
    try {
      onnx::ModelProto copy = model;
      runShapeInference(copy);
    } catch (...) {
      status = kThrew;
    }
    _exit(status); // No atexit handlers or stdio flushes of the parent's.
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR)
      return true;
  }
  return WIFEXITED(status) &&
         (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == kThrew);
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
  if (failed(ReferenceChecker(model, context, loc).check(model.graph())))
    return ImportResult::Invalid;
  if (!checkGraphInputTypes(model.graph(), context, loc))
    return ImportResult::Unsupported;
  std::map<std::string, int64_t> opsets;
  for (const onnx::OperatorSetIdProto &id : model.opset_import())
    opsets[id.domain() == "ai.onnx" ? "" : id.domain()] = id.version();
  if (!verifyNodeSchemas(model.graph(), opsets, context, loc))
    return ImportResult::Invalid;
  if (options.runShapeInference) {
    if (!shapeInferenceSurvives(model)) {
      emitError(loc) << "ONNX shape inference (libonnx) crashed on this "
                        "model: it is malformed in a way the ONNX checker "
                        "does not catch (e.g. an input of the wrong rank)";
      return ImportResult::Invalid;
    }
    try {
      runShapeInference(model);
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
