//===- GraphImporter.cpp - ONNX graph to func.func @main ------------------===//
#include "Importer.h"
#include "QuantFold.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &parent, const onnx::NodeProto &node,
                         unsigned index, int64_t opset, int64_t sinceVersion,
                         Location loc, SmallVector<Value> inputs)
    : parent(parent), node(node), index(index), opsetVersion(opset),
      since(sinceVersion), loc(loc), inputs(std::move(inputs)),
      outputs(node.output_size(), Value()) {}

OpBuilder &NodeContext::builder() { return parent.builder(); }

std::string NodeContext::nodeName(const onnx::NodeProto &node, unsigned index) {
  if (node.name().empty())
    return "unnamed node #" + std::to_string(index);
  return "node '" + node.name() + "'";
}

std::string NodeContext::describe() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << nodeName(node, index) << " (" << node.op_type() << ", opset "
     << opsetVersion << ")";
  return s;
}

InFlightDiagnostic NodeContext::unsupported() {
  return parent.reporter().unsupported(loc) << describe() << ": ";
}

InFlightDiagnostic NodeContext::invalid() {
  return parent.reporter().invalid(loc) << describe() << ": ";
}

LogicalResult NodeContext::expectInputs(unsigned min, unsigned max) {
  if (numInputs() < min || numInputs() > max)
    return invalid() << "expected " << min
                     << (min == max ? "" : " to " + std::to_string(max))
                     << " inputs, found " << numInputs();
  for (unsigned i = 0; i < min; ++i)
    if (!hasInput(i))
      return invalid() << "required input " << i << " is missing";
  return success();
}

std::optional<SmallVector<int64_t>>
NodeContext::constantInts(unsigned i) const {
  if (!hasInput(i))
    return std::nullopt;
  auto constant = inputs[i].getDefiningOp<graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  SmallVector<int64_t> values;
  ElementsAttr attr = constant.getValue();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense)
      values.push_back(v.getSExtValue());
    return values;
  }
  if (auto r = dyn_cast<DenseI64ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<int64_t>> data = r.tryGetAsArrayRef())
      return SmallVector<int64_t>(*data);
  if (auto r = dyn_cast<DenseI32ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<int32_t>> data = r.tryGetAsArrayRef())
      return SmallVector<int64_t>(data->begin(), data->end());
  return std::nullopt;
}

FailureOr<RankedTensorType> NodeContext::outputType(unsigned i,
                                                    RankedTensorType fallback) {
  StringRef name = node.output(i);
  RankedTensorType inferred;
  if (const onnx::TypeProto *type = parent.typeOf(name)) {
    FailureOr<RankedTensorType> converted = parent.convertType(
        *type, describe() + ": output '" + name.str() + "'", loc);
    if (failed(converted))
      return failure();
    inferred = *converted;
  }
  if (!inferred) {
    if (fallback)
      return fallback;
    return unsupported() << "ONNX shape inference found no shape for output '"
                         << name << "', and ds cannot infer it";
  }
  if (!fallback || fallback.getRank() != inferred.getRank())
    return inferred;
  SmallVector<int64_t> shape(inferred.getShape());
  for (auto [d, f] : llvm::zip(shape, fallback.getShape()))
    if (ShapedType::isDynamic(d))
      d = f;
  return RankedTensorType::get(shape, inferred.getElementType());
}

void NodeContext::setOutput(unsigned i, Value value) { outputs[i] = value; }

const SmallVector<Value> *NodeContext::sequenceInput(unsigned i) const {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return nullptr;
  return parent.sequence(node.input(i));
}

void NodeContext::setSequenceOutput(unsigned i, SmallVector<Value> elements) {
  if (sequenceOutputs.size() <= i)
    sequenceOutputs.resize(node.output_size());
  sequenceOutputs[i] = std::move(elements);
}

bool NodeContext::isOutputSet(unsigned i) const { return bool(outputs[i]); }

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

LogicalResult NodeContext::intAttr(StringRef name, int64_t &out) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return success();
  if (a->type() != onnx::AttributeProto::INT)
    return invalid() << "expected attribute '" << name
                     << "' to be an integer, found "
                     << onnx::AttributeProto::AttributeType_Name(a->type());
  out = a->i();
  return success();
}

LogicalResult NodeContext::floatAttr(StringRef name, float &out) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return success();
  if (a->type() != onnx::AttributeProto::FLOAT)
    return invalid() << "expected attribute '" << name
                     << "' to be a float, found "
                     << onnx::AttributeProto::AttributeType_Name(a->type());
  out = a->f();
  return success();
}

LogicalResult NodeContext::stringAttr(StringRef name, std::string &out) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return success();
  if (a->type() != onnx::AttributeProto::STRING)
    return invalid() << "expected attribute '" << name
                     << "' to be a string, found "
                     << onnx::AttributeProto::AttributeType_Name(a->type());
  out = a->s();
  return success();
}

LogicalResult NodeContext::intsAttr(StringRef name,
                                    SmallVectorImpl<int64_t> &out) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return success();
  if (a->type() != onnx::AttributeProto::INTS)
    return invalid() << "expected attribute '" << name
                     << "' to be a list of integers, found "
                     << onnx::AttributeProto::AttributeType_Name(a->type());
  out.assign(a->ints().begin(), a->ints().end());
  return success();
}

LogicalResult NodeContext::normalizeAxis(int64_t &axis, int64_t rank,
                                         StringRef what, bool inclusiveEnd) {
  int64_t limit = inclusiveEnd ? rank + 1 : rank;
  if (axis < -rank || axis >= limit)
    return invalid() << "expected " << what << " in [" << -rank << ", " << limit
                     << ") for rank " << rank << ", found " << axis;
  if (axis < 0)
    axis += rank;
  return success();
}

LogicalResult NodeContext::normalizeAxes(SmallVectorImpl<int64_t> &axes,
                                         int64_t rank) {
  for (int64_t &axis : axes)
    if (failed(normalizeAxis(axis, rank, "axes")))
      return failure();
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return invalid() << "expected unique axes";
  return success();
}

Value NodeContext::constantI64(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder().getI64Type());
  auto attr = DenseIntElementsAttr::get(type, values);
  return graph::ConstantOp::create(builder(), loc, type, attr);
}

FailureOr<Value> NodeContext::reshapeTo(Value value, ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> copyFrom) {
  auto inType = cast<RankedTensorType>(value.getType());
  auto outType = RankedTensorType::get(shape, inType.getElementType());
  if (inType == outType)
    return value;
  OpBuilder &b = builder();
  if (outType.hasStaticShape())
    return graph::ReshapeOp::create(b, loc, TypeRange{outType},
                                    ValueRange{value},
                                    ArrayRef<NamedAttribute>{})
        .getResult();
  SmallVector<int64_t> target;
  int unknown = 0;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (!ShapedType::isDynamic(d)) {
      target.push_back(d);
    } else if (i < copyFrom.size() && copyFrom[i] == static_cast<int64_t>(i)) {
      target.push_back(0); // ONNX Reshape: 0 copies the input dimension.
    } else {
      target.push_back(-1);
      ++unknown;
    }
  }
  // A 0 in the target is also a literal size for an empty tensor; only copy
  // semantics are meant, so refuse static zero sizes mixed with copies.
  if (unknown > 1 || llvm::is_contained(shape, 0))
    return unsupported() << "cannot reshape " << inType << " to " << outType
                         << " without run-time shape computation";
  Value shapeValue = constantI64(target);
  return graph::ReshapeOp::create(b, loc, TypeRange{outType},
                                  ValueRange{value, shapeValue},
                                  ArrayRef<NamedAttribute>{})
      .getResult();
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(MLIRContext *context,
                             const onnx::ModelProto &model, StringRef fileName,
                             StringRef baseDir,
                             const ONNXImportOptions &options)
    : context(context), model(model), fileName(fileName.str()),
      options(options), env{report, baseDir, options.resourceThresholdBytes},
      b(context), fileLocation(FileLineColLoc::get(context, fileName, 0, 0)) {}

const onnx::TypeProto *GraphImporter::typeOf(StringRef name) const {
  auto it = types.find(name);
  return it == types.end() ? nullptr : it->second;
}

FailureOr<RankedTensorType>
GraphImporter::convertType(const onnx::TypeProto &type, StringRef what,
                           Location loc) {
  if (!type.has_tensor_type()) {
    StringRef kind = type.has_sequence_type()        ? "a sequence"
                     : type.has_optional_type()      ? "an optional"
                     : type.has_map_type()           ? "a map"
                     : type.has_sparse_tensor_type() ? "a sparse tensor"
                                                     : "an unknown type";
    return report.unsupported(loc)
           << what << " has " << kind << " type; ds imports tensors only";
  }
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  if (!tensor.has_elem_type() || tensor.elem_type() == 0 || !tensor.has_shape())
    return RankedTensorType(); // Unknown: the caller decides.
  Type elementType = convertElementType(context, tensor.elem_type());
  if (!elementType)
    return report.unsupported(loc) << what << " has unsupported element type "
                                   << dataTypeName(tensor.elem_type());
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  if (!hasAddressableSize(shape))
    return report.invalid(loc) << what
                               << " has a shape with more than 2^60 elements";
  return RankedTensorType::get(shape, elementType);
}

FailureOr<Value> GraphImporter::lookup(StringRef name, Location loc) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return failure();
  // Initializers become constants at their first use, which dominates the
  // rest of the single-block graph.
  FailureOr<ElementsAttr> attr =
      importTensor(*init->second, "initializer '" + name.str() + "'", loc, env);
  if (failed(attr))
    return failure();
  Value constant = graph::ConstantOp::create(
      b, NameLoc::get(StringAttr::get(context, name), fileLocation),
      cast<RankedTensorType>(attr->getType()), *attr);
  values[name] = constant;
  return constant;
}

/// Folds the ops that a node handler created (those after `before` in
/// `block`) whose operands are all constants, replacing them with
/// `dsg.constant`s, so that shape computations (Shape -> Gather -> Concat ->
/// Reshape ...) become constants that later nodes read with constantInts().
/// The dsg folders only fold small tensors into static result types.
void GraphImporter::foldNewOps(Block *block, Operation *before,
                               MutableArrayRef<Value> outputs) {
  Operation *op = before         ? before->getNextNode()
                  : block->empty() ? nullptr
                                   : &block->front();
  while (op) {
    Operation *next = op->getNextNode();
    if (isa<graph::ConstantOp>(op) || op->getNumResults() != 1 ||
        op->getNumRegions() != 0) {
      op = next;
      continue;
    }
    SmallVector<Attribute> operands;
    bool allConstant = true;
    for (Value v : op->getOperands()) {
      auto c = v.getDefiningOp<graph::ConstantOp>();
      if (!c) {
        allConstant = false;
        break;
      }
      operands.push_back(c.getValue());
    }
    SmallVector<OpFoldResult> results;
    if (allConstant && succeeded(op->fold(operands, results)) &&
        results.size() == 1) {
      auto value = dyn_cast_if_present<ElementsAttr>(
          dyn_cast_if_present<Attribute>(results[0]));
      Value old = op->getResult(0);
      if (value && value.getType() == old.getType()) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(op);
        Value folded =
            graph::ConstantOp::create(b, op->getLoc(), value.getType(), value);
        old.replaceAllUsesWith(folded);
        for (Value &out : outputs)
          if (out == old)
            out = folded;
        op->erase();
      }
    }
    op = next;
  }
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        unsigned index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  Location loc = NameLoc::get(StringAttr::get(context, name), fileLocation);
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  auto opsetIt = opsets.find(domain);
  int64_t opset = opsetIt == opsets.end() ? 0 : opsetIt->second;
  SmallVector<int> versions;
  if (opsetIt == opsets.end()) {
    // ONNX requires an opset_import entry for every domain the graph uses.
    report.invalid(loc) << NodeContext::nodeName(node, index) << " ("
                        << node.op_type() << ") uses the domain '" << domain
                        << "', for which the model imports no opset";
    return failure();
  }
  const OpTableEntry *entry =
      domain.empty() ? lookupOpHandler(node.op_type(), opset, versions)
      : domain == "ai.onnx.preview.training"
          ? lookupTrainingOpHandler(node.op_type(), opset, versions)
          : nullptr;
  if (!entry) {
    InFlightDiagnostic diag = report.unsupported(loc);
    diag << "unsupported op '" << node.op_type() << "' (domain '" << domain
         << "', opset " << opset << ") at "
         << NodeContext::nodeName(node, index);
    if (!versions.empty()) {
      diag << "; ds handles it from opset " << versions.front();
    }
    return failure();
  }

  SmallVector<Value> inputs;
  for (const std::string &input : node.input()) {
    if (input.empty()) {
      inputs.push_back(Value());
      continue;
    }
    if (sequences.count(input)) {
      // Sequence handlers read it through NodeContext::sequenceInput.
      if (!domain.empty() || !takesSequences(node.op_type()))
        return report.unsupported(loc)
               << NodeContext::nodeName(node, index) << " ("
               << node.op_type() << ", opset " << opset << "): input '"
               << input << "' is a sequence, which ds imports for the "
                  "Sequence* ops, SplitToSequence and ConcatFromSequence only";
      inputs.push_back(Value());
      continue;
    }
    FailureOr<Value> value = lookup(input, loc);
    if (failed(value)) {
      if (report.result == ImportResult::Success)
        report.invalid(loc)
            << NodeContext::nodeName(node, index) << " (" << node.op_type()
            << ", opset " << opset << ") uses '" << input
            << "', which no earlier node, graph input or "
               "initializer defines";
      return failure();
    }
    if (!isa<RankedTensorType>(value->getType()))
      return report.unsupported(loc)
             << NodeContext::nodeName(node, index) << ": input '" << input
             << "' is not a ranked tensor";
    inputs.push_back(*value);
  }

  NodeContext ctx(*this, node, index, opset, entry->sinceVersion, loc,
                  std::move(inputs));
  nodeByLoc[loc] = ctx.describe();
  Block *block = b.getInsertionBlock();
  Operation *before = block->empty() ? nullptr : &block->back();
  if (failed(entry->handler(ctx))) {
    if (report.result == ImportResult::Success)
      report.invalid(loc) << ctx.describe() << ": import failed";
    return failure();
  }
  // Folding replaces values: hand it the sequence elements too.
  SmallVector<Value> produced(ctx.outputs);
  for (auto &seq : ctx.sequenceOutputs)
    if (seq)
      produced.append(seq->begin(), seq->end());
  foldNewOps(block, before, produced);
  llvm::copy(ArrayRef(produced).take_front(ctx.outputs.size()),
             ctx.outputs.begin());
  size_t next = ctx.outputs.size();
  for (auto &seq : ctx.sequenceOutputs)
    if (seq)
      for (Value &element : *seq)
        element = produced[next++];
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    if (i < static_cast<int>(ctx.sequenceOutputs.size()) &&
        ctx.sequenceOutputs[i]) {
      sequences[node.output(i)] = std::move(*ctx.sequenceOutputs[i]);
      continue;
    }
    if (!ctx.isOutputSet(i))
      return report.unsupported(loc)
             << ctx.describe() << ": ds does not produce output " << i << " ('"
             << node.output(i) << "')";
    values[node.output(i)] = ctx.outputs[i];
  }
  return success();
}

LogicalResult GraphImporter::inlineSubgraph(const onnx::GraphProto &graph,
                                            ArrayRef<Value> inputs,
                                            SmallVectorImpl<Value> &outputs,
                                            NodeContext &owner) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return owner.invalid() << "expected a subgraph of " << inputs.size()
                           << " inputs, found " << graph.input_size();
  if (graph.sparse_initializer_size() > 0)
    return owner.unsupported() << "sparse initializers are not supported";
  // The names this scope defines shadow enclosing ones until it ends.
  SmallVector<std::string> defined;
  for (const onnx::ValueInfoProto &v : graph.input())
    defined.push_back(v.name());
  for (const onnx::TensorProto &t : graph.initializer())
    defined.push_back(t.name());
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &out : node.output())
      if (!out.empty())
        defined.push_back(out);
  struct Saved {
    std::optional<Value> value;
    std::optional<const onnx::TensorProto *> init;
    std::optional<SmallVector<Value>> seq;
  };
  SmallVector<Saved> saved;
  for (const std::string &name : defined) {
    Saved s;
    if (auto it = values.find(name); it != values.end())
      s.value = it->second;
    if (auto it = initializers.find(name); it != initializers.end())
      s.init = it->second;
    if (auto it = sequences.find(name); it != sequences.end())
      s.seq = it->second;
    values.erase(name);
    initializers.erase(name);
    sequences.erase(name);
    saved.push_back(std::move(s));
  }
  auto restore = [&] {
    for (auto [name, s] : llvm::zip(defined, saved)) {
      values.erase(name);
      initializers.erase(name);
      sequences.erase(name);
      if (s.value)
        values[name] = *s.value;
      if (s.init)
        initializers[name] = *s.init;
      if (s.seq)
        sequences[name] = *s.seq;
    }
  };
  for (const onnx::ValueInfoProto &v : graph.value_info())
    types[v.name()] = &v.type();
  for (const onnx::ValueInfoProto &v : graph.output())
    types[v.name()] = &v.type();
  for (const onnx::TensorProto &t : graph.initializer())
    initializers[t.name()] = &t;

  LogicalResult result = success();
  for (auto [v, value] : llvm::zip(graph.input(), inputs)) {
    // A declared static input type must match what is bound to it.
    if (v.type().has_tensor_type() &&
        v.type().tensor_type().has_shape()) {
      FailureOr<RankedTensorType> declared =
          convertType(v.type(), "subgraph input '" + v.name() + "'",
                      owner.getLoc());
      if (failed(declared)) {
        result = failure();
        break;
      }
      auto actual = cast<RankedTensorType>(value.getType());
      if (*declared && declared->hasStaticShape() && *declared != actual) {
        result = owner.invalid() << "subgraph input '" << v.name()
                                 << "' is declared " << *declared
                                 << ", but receives " << actual;
        break;
      }
    }
    values[v.name()] = value;
  }
  if (succeeded(result))
    for (auto [index, node] : llvm::enumerate(graph.node()))
      if (failed(importNode(node, index))) {
        result = failure();
        break;
      }
  if (succeeded(result))
    for (const onnx::ValueInfoProto &out : graph.output()) {
      if (sequences.count(out.name())) {
        result = owner.unsupported() << "subgraph output '" << out.name()
                                     << "' is a sequence";
        break;
      }
      FailureOr<Value> value = lookup(out.name(), owner.getLoc());
      if (failed(value)) {
        result = owner.invalid() << "subgraph output '" << out.name()
                                 << "' is not defined";
        break;
      }
      outputs.push_back(*value);
    }
  restore();
  return result;
}

LogicalResult GraphImporter::verifyModule(ModuleOp module) {
  // Verifier messages name dsg ops; add the ONNX node they came from.
  SmallVector<std::pair<Location, std::string>> messages;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error)
        return success();
      std::string text = diag.str();
      auto it = nodeByLoc.find(diag.getLocation());
      if (it != nodeByLoc.end())
        text = it->second + ": " + text;
      messages.emplace_back(diag.getLocation(), std::move(text));
      return success();
    });
    result = verify(module);
  }
  for (auto &[loc, text] : messages)
    report.invalid(loc) << "the imported IR does not verify (the model's "
                           "types are inconsistent, or ds has a bug): "
                        << text;
  return result;
}

ImportResult GraphImporter::import(OwningOpRef<ModuleOp> &result) {
  context->loadDialect<func::FuncDialect, graph::DSGDialect>();
  if (!model.has_graph()) {
    report.invalid(fileLocation) << "the model has no graph";
    return report.result;
  }
  for (const onnx::OperatorSetIdProto &id : model.opset_import()) {
    std::string domain = id.domain() == "ai.onnx" ? "" : id.domain();
    opsets[domain] = id.version();
  }
  // A model that uses no default-domain op (an optimizer model of the
  // training domain, say) need not import the default domain; a node that
  // uses a domain without an opset is diagnosed where it is imported.
  defaultOpset = opsets.lookup("");
  const onnx::GraphProto &g = model.graph();

  for (const onnx::TensorProto &t : g.initializer())
    initializers[t.name()] = &t;
  if (g.sparse_initializer_size() > 0) {
    report.unsupported(fileLocation)
        << "sparse initializers are not supported (first: '"
        << g.sparse_initializer(0).values().name() << "')";
    return report.result;
  }
  // Most specific last: declared outputs and inputs override inference.
  for (const onnx::ValueInfoProto &v : g.value_info())
    types[v.name()] = &v.type();
  for (const onnx::ValueInfoProto &v : g.output())
    types[v.name()] = &v.type();
  for (const onnx::ValueInfoProto &v : g.input())
    types[v.name()] = &v.type();

  OwningOpRef<ModuleOp> owned = ModuleOp::create(fileLocation);
  ModuleOp module = *owned;
  b.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(b, fileLocation, "main", b.getFunctionType({}, {}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToEnd(body);

  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : g.input()) {
    if (initializers.count(input.name()))
      continue; // An input with a default value: a constant here.
    Location loc =
        NameLoc::get(StringAttr::get(context, input.name()), fileLocation);
    std::string what = "graph input '" + input.name() + "'";
    FailureOr<RankedTensorType> type = convertType(input.type(), what, loc);
    if (failed(type))
      return report.result;
    if (!*type) {
      report.unsupported(loc) << what << " has no element type or rank";
      return report.result;
    }
    values[input.name()] = body->addArgument(*type, loc);
    argNames.push_back(input.name());
  }

  for (auto [index, node] : llvm::enumerate(g.node()))
    if (failed(importNode(node, index)))
      return report.result;

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : g.output()) {
    Location loc =
        NameLoc::get(StringAttr::get(context, output.name()), fileLocation);
    if (sequences.count(output.name())) {
      report.unsupported(loc) << "graph output '" << output.name()
                              << "' is a sequence; ds returns tensors only";
      return report.result;
    }
    FailureOr<Value> value = lookup(output.name(), loc);
    if (failed(value)) {
      if (report.result == ImportResult::Success)
        report.invalid(loc) << "graph output '" << output.name()
                            << "' is not produced by any node";
      return report.result;
    }
    results.push_back(*value);
  }
  func::ReturnOp::create(b, fileLocation, results);
  func.setType(b.getFunctionType(body->getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(argNames))
    func.setArgAttr(i, "ds.name", b.getStringAttr(name));
  for (auto [i, output] : llvm::enumerate(g.output()))
    func.setResultAttr(i, "ds.name", b.getStringAttr(output.name()));
  // Products on DequantizeLinear'd int8 weights become weight-only dsq.
  foldWeightOnlyProducts(func);

  if (failed(verifyModule(module)))
    return report.result;
  result = std::move(owned);
  return report.result;
}
