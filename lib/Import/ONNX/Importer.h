//===- Importer.h - internals of the ONNX importer --------------*- C++ -*-===//
//
// The graph importer walks the ONNX graph in order and hands each node to the
// handler that the op table selects for (op_type, opset). Handlers see the
// node through NodeContext: resolved operand values, attribute accessors that
// diagnose bad values, and the result types that ONNX shape inference found.
//
// Nothing here throws; exceptions from protobuf and ONNX are caught in
// Boundary.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_IMPORT_ONNX_IMPORTER_H
#define DS_LIB_IMPORT_ONNX_IMPORTER_H

#include "ds/Import/ONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <optional>

namespace mlir::ds::onnx_import {

/// Records the first failure kind; every diagnostic goes through here so that
/// the import result says whether the model was unsupported or invalid.
class Reporter {
public:
  InFlightDiagnostic unsupported(Location loc) {
    if (result == ImportResult::Success)
      result = ImportResult::Unsupported;
    return emitError(loc);
  }
  InFlightDiagnostic invalid(Location loc) {
    result = ImportResult::Invalid;
    return emitError(loc);
  }
  ImportResult result = ImportResult::Success;
};

/// Where tensors are read from and how they are stored.
struct TensorEnv {
  Reporter &reporter;
  llvm::StringRef baseDir;
  size_t resourceThresholdBytes;
};

/// Maps an ONNX TensorProto data type to an MLIR element type, or null when
/// ds does not support it (string, complex, ...).
Type convertElementType(MLIRContext *context, int32_t dataType);

/// The ONNX name of a data type ("FLOAT", "STRING", ...).
std::string dataTypeName(int32_t dataType);

/// Converts a tensor initializer or Constant value. `what` names it in
/// diagnostics (e.g. "initializer 'w'").
FailureOr<ElementsAttr> importTensor(const onnx::TensorProto &tensor,
                                     llvm::StringRef what, Location loc,
                                     TensorEnv &env);

class GraphImporter;

/// One node being imported.
class NodeContext {
public:
  NodeContext(GraphImporter &parent, const onnx::NodeProto &node,
              unsigned index, int64_t opset, int64_t sinceVersion, Location loc,
              SmallVector<Value> inputs);

  OpBuilder &builder();
  MLIRContext *getContext() { return loc.getContext(); }
  Location getLoc() const { return loc; }
  int64_t opset() const { return opsetVersion; }
  /// The since_version of the handler chosen for this node.
  int64_t sinceVersion() const { return since; }
  const onnx::NodeProto &proto() const { return node; }

  /// "node 'conv1' (Conv, opset 11)", for diagnostics.
  std::string describe() const;
  /// "node 'conv1'", or "unnamed node #3" (its index in the graph).
  static std::string nodeName(const onnx::NodeProto &node, unsigned index);

  /// Diagnostics naming the node.
  InFlightDiagnostic unsupported();
  InFlightDiagnostic invalid();

  // Operands. Empty names (omitted optional inputs) read as absent.
  unsigned numInputs() const { return inputs.size(); }
  bool hasInput(unsigned i) const { return i < inputs.size() && inputs[i]; }
  Value input(unsigned i) const { return inputs[i]; }
  RankedTensorType inputType(unsigned i) const {
    return cast<RankedTensorType>(inputs[i].getType());
  }
  /// Checks that the inputs in [min, max] are present; diagnoses otherwise.
  LogicalResult expectInputs(unsigned min, unsigned max);
  /// The integer values of input `i` if it is a constant (initializer or
  /// Constant node); std::nullopt if it is computed at run time.
  std::optional<SmallVector<int64_t>> constantInts(unsigned i) const;

  // Results.
  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const {
    return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
  }
  /// The type of output `i`: what ONNX shape inference recorded, with
  /// unknown sizes filled from `fallback` (the importer's own inference).
  /// Diagnoses when neither gives a ranked tensor type.
  FailureOr<RankedTensorType> outputType(unsigned i,
                                         RankedTensorType fallback = {});
  void setOutput(unsigned i, Value value);
  bool isOutputSet(unsigned i) const;
  /// The value set for output `i` (null if none), for handlers that
  /// delegate to another handler through a NodeContext of their own.
  Value output(unsigned i) const { return outputs[i]; }

  // Sequences (Sequence.cpp) exist only at import: a list of tensor values,
  // each null where the element is not representable (split at run-time
  // sizes). Sequence ops read their sequence operands through here.
  /// The sequence that input `i` names, or null if it is not a sequence.
  const SmallVector<Value> *sequenceInput(unsigned i) const;
  void setSequenceOutput(unsigned i, SmallVector<Value> elements);

  // Attributes. Each getter leaves `out` unchanged when the attribute is
  // absent and diagnoses an attribute of the wrong kind.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name); }
  LogicalResult intAttr(llvm::StringRef name, int64_t &out);
  LogicalResult floatAttr(llvm::StringRef name, float &out);
  LogicalResult stringAttr(llvm::StringRef name, std::string &out);
  LogicalResult intsAttr(llvm::StringRef name, SmallVectorImpl<int64_t> &out);

  /// Normalizes `axis` into [0, rank) (or [0, rank] with `inclusiveEnd`).
  LogicalResult normalizeAxis(int64_t &axis, int64_t rank,
                              llvm::StringRef what = "axis",
                              bool inclusiveEnd = false);
  /// Normalizes, sorts and checks for duplicates.
  LogicalResult normalizeAxes(SmallVectorImpl<int64_t> &axes, int64_t rank);

  /// A `dsg.constant` of a 1-D i64 tensor.
  Value constantI64(ArrayRef<int64_t> values);

  /// Reshapes `value` to `shape`, which may hold dynamic sizes. `copyFrom[i]`
  /// names the input dimension that result dimension `i` equals, or -1. A
  /// static shape gives a static reshape; otherwise a constant shape operand
  /// copies dimensions (0) and infers at most one (-1). Diagnoses what cannot
  /// be expressed that way.
  FailureOr<Value> reshapeTo(Value value, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> copyFrom = {});

  GraphImporter &parent;

private:
  const onnx::NodeProto &node;
  unsigned index;
  int64_t opsetVersion, since;
  Location loc;
  SmallVector<Value> inputs;
  SmallVector<Value> outputs;
  SmallVector<std::optional<SmallVector<Value>>> sequenceOutputs;
  friend class GraphImporter;
};

/// A node handler: builds dsg ops for one node and sets its outputs. On
/// failure it has emitted a diagnostic through the context.
using OpHandler = LogicalResult (*)(NodeContext &);

struct OpTableEntry {
  const char *opType;
  int sinceVersion;
  OpHandler handler;
};

/// The handler for `opType` in the default domain at `opset`: the entry with
/// the largest since_version <= opset. Null if there is none; `versions`
/// then lists the since_versions ds handles (empty for an unknown op).
const OpTableEntry *lookupOpHandler(llvm::StringRef opType, int64_t opset,
                                    SmallVectorImpl<int> &versions);

/// Builds `func.func @main` from the graph of `model`.
class GraphImporter {
public:
  GraphImporter(MLIRContext *context, const onnx::ModelProto &model,
                llvm::StringRef fileName, llvm::StringRef baseDir,
                const ONNXImportOptions &options);

  ImportResult import(OwningOpRef<ModuleOp> &module);

  MLIRContext *getContext() { return context; }
  OpBuilder &builder() { return b; }
  Reporter &reporter() { return report; }
  TensorEnv &tensorEnv() { return env; }
  Location fileLoc() const { return fileLocation; }

  /// The type ONNX knows for the value `name` (after shape inference), if any.
  const onnx::TypeProto *typeOf(llvm::StringRef name) const;
  /// Imports `graph` (a node's subgraph attribute) inline at the insertion
  /// point, its inputs bound to `inputs`; names of enclosing scopes stay
  /// visible. `outputs` receives the values of its outputs. The names the
  /// subgraph defines are unbound afterwards, so it can be inlined again
  /// (once per unrolled iteration). `owner` names the node in diagnostics.
  LogicalResult inlineSubgraph(const onnx::GraphProto &graph,
                               ArrayRef<Value> inputs,
                               SmallVectorImpl<Value> &outputs,
                               NodeContext &owner);
  /// The import-time sequence named `name`, or null.
  const SmallVector<Value> *sequence(llvm::StringRef name) const {
    auto it = sequences.find(name);
    return it == sequences.end() ? nullptr : &it->second;
  }
  /// Converts a tensor type; unranked types read as null (no diagnostic),
  /// unsupported element types are diagnosed with `what`.
  FailureOr<RankedTensorType> convertType(const onnx::TypeProto &type,
                                          llvm::StringRef what, Location loc);

private:
  FailureOr<Value> lookup(llvm::StringRef name, Location loc);
  LogicalResult importNode(const onnx::NodeProto &node, unsigned index);
  void foldNewOps(Block *block, Operation *before,
                  MutableArrayRef<Value> outputs);
  LogicalResult verifyModule(ModuleOp module);

  MLIRContext *context;
  const onnx::ModelProto &model;
  std::string fileName;
  ONNXImportOptions options;
  Reporter report;
  TensorEnv env;
  OpBuilder b;
  Location fileLocation;
  int64_t defaultOpset = 0;
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<Value> values;
  llvm::StringMap<SmallVector<Value>> sequences;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<const onnx::TypeProto *> types;
  /// Node descriptions by location, to name nodes in verifier diagnostics.
  DenseMap<Location, std::string> nodeByLoc;
};

//===----------------------------------------------------------------------===//
// Handlers, by op family. The op table (OpTable.cpp) maps versions to them.
//===----------------------------------------------------------------------===//

// Elementwise.cpp
/// Whether the static sizes in `shape` (dynamic ones ignored) multiply to at
/// most 2^60 elements, so that element and byte counts computed from the
/// type cannot overflow int64_t. Shapes come from untrusted models.
bool hasAddressableSize(ArrayRef<int64_t> shape);

LogicalResult importAdd(NodeContext &);
LogicalResult importSub(NodeContext &);
LogicalResult importMul(NodeContext &);
LogicalResult importDiv(NodeContext &);
LogicalResult importPow(NodeContext &);
LogicalResult importSqrt(NodeContext &);
LogicalResult importRelu(NodeContext &);
LogicalResult importSigmoid(NodeContext &);
LogicalResult importTanh(NodeContext &);
LogicalResult importErf(NodeContext &);
LogicalResult importExp(NodeContext &);
LogicalResult importCast(NodeContext &);
LogicalResult importCastLike(NodeContext &);
LogicalResult importWhere(NodeContext &);
LogicalResult importNeg(NodeContext &);
LogicalResult importAbs(NodeContext &);
LogicalResult importSign(NodeContext &);
LogicalResult importReciprocal(NodeContext &);
LogicalResult importFloor(NodeContext &);
LogicalResult importCeil(NodeContext &);
LogicalResult importRound(NodeContext &);
LogicalResult importLog(NodeContext &);
LogicalResult importSin(NodeContext &);
LogicalResult importCos(NodeContext &);
LogicalResult importTan(NodeContext &);
LogicalResult importAsin(NodeContext &);
LogicalResult importAcos(NodeContext &);
LogicalResult importAtan(NodeContext &);
LogicalResult importSinh(NodeContext &);
LogicalResult importCosh(NodeContext &);
LogicalResult importAsinh(NodeContext &);
LogicalResult importAcosh(NodeContext &);
LogicalResult importAtanh(NodeContext &);
LogicalResult importSoftplus(NodeContext &);
LogicalResult importSoftsign(NodeContext &);
LogicalResult importHardSwish(NodeContext &);
LogicalResult importElu(NodeContext &);
LogicalResult importSelu(NodeContext &);
LogicalResult importLeakyRelu(NodeContext &);
LogicalResult importHardSigmoid(NodeContext &);
LogicalResult importThresholdedRelu(NodeContext &);
LogicalResult importNot(NodeContext &);
LogicalResult importIsNaN(NodeContext &);
LogicalResult importIsInf(NodeContext &);
LogicalResult importMax(NodeContext &);
LogicalResult importMin(NodeContext &);
LogicalResult importSum(NodeContext &);
LogicalResult importMean(NodeContext &);
LogicalResult importMod(NodeContext &);
LogicalResult importBitShift(NodeContext &);
LogicalResult importEqual(NodeContext &);
LogicalResult importLess(NodeContext &);
LogicalResult importLessOrEqual(NodeContext &);
LogicalResult importGreater(NodeContext &);
LogicalResult importGreaterOrEqual(NodeContext &);
LogicalResult importAnd(NodeContext &);
LogicalResult importOr(NodeContext &);
LogicalResult importXor(NodeContext &);

// NN.cpp
LogicalResult importMatMul(NodeContext &);
LogicalResult importGemm(NodeContext &);
LogicalResult importConv(NodeContext &);
LogicalResult importMaxPool(NodeContext &);
LogicalResult importAveragePool(NodeContext &);
LogicalResult importBatchNormalization(NodeContext &);
LogicalResult importLayerNormalization(NodeContext &);
LogicalResult importSoftmaxFlattened(NodeContext &); // opset 1-12
LogicalResult importSoftmax(NodeContext &);          // opset 13+

// NNExtra.cpp (decomposed into dsg ops)
LogicalResult importLogSoftmax(NodeContext &);
LogicalResult importHardmax(NodeContext &);
LogicalResult importClip(NodeContext &);
LogicalResult importDropout(NodeContext &);
LogicalResult importCelu(NodeContext &);
LogicalResult importPRelu(NodeContext &);
LogicalResult importInstanceNormalization(NodeContext &);
LogicalResult importMeanVarianceNormalization(NodeContext &);
LogicalResult importLRN(NodeContext &);
LogicalResult importNegativeLogLikelihoodLoss(NodeContext &);
LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &);
LogicalResult importEinsum(NodeContext &);
LogicalResult importConvTranspose(NodeContext &);
LogicalResult importMish(NodeContext &);

// Attention.cpp
LogicalResult importAttention(NodeContext &);

// Reduction.cpp
LogicalResult importReduceMean(NodeContext &);
LogicalResult importReduceMax(NodeContext &);
LogicalResult importReduceMin(NodeContext &);
LogicalResult importReduceProd(NodeContext &);
LogicalResult importArgMax(NodeContext &);
LogicalResult importArgMin(NodeContext &);
LogicalResult importReduceL1(NodeContext &);
LogicalResult importReduceL2(NodeContext &);
LogicalResult importReduceSumSquare(NodeContext &);
LogicalResult importReduceLogSum(NodeContext &);
LogicalResult importReduceLogSumExp(NodeContext &);
LogicalResult importReduceSum(NodeContext &);          // axes attribute
LogicalResult importReduceSumAxesInput(NodeContext &); // opset 13+
LogicalResult importGlobalAveragePool(NodeContext &);
LogicalResult importGlobalMaxPool(NodeContext &);

// Tensor.cpp
LogicalResult importConstant(NodeContext &);
LogicalResult importIdentity(NodeContext &);
LogicalResult importShape(NodeContext &);
LogicalResult importSize(NodeContext &);
LogicalResult importConstantOfShape(NodeContext &);
LogicalResult importReshape(NodeContext &);
LogicalResult importFlatten(NodeContext &);
LogicalResult importTranspose(NodeContext &);
LogicalResult importConcat(NodeContext &);
LogicalResult importGather(NodeContext &);
LogicalResult importUnsqueeze(NodeContext &);
LogicalResult importSqueeze(NodeContext &);

// Indexing.cpp
LogicalResult importSlice(NodeContext &);
LogicalResult importSplit(NodeContext &);
LogicalResult importPad(NodeContext &);
LogicalResult importTile(NodeContext &);
LogicalResult importExpand(NodeContext &);
LogicalResult importRange(NodeContext &);
LogicalResult importTrilu(NodeContext &);
LogicalResult importCumSum(NodeContext &);
LogicalResult importGatherElements(NodeContext &);
LogicalResult importGatherND(NodeContext &);
LogicalResult importScatterElements(NodeContext &);
LogicalResult importScatterND(NodeContext &);
LogicalResult importOneHot(NodeContext &);
LogicalResult importDepthToSpace(NodeContext &);
LogicalResult importSpaceToDepth(NodeContext &);

// Misc.cpp
LogicalResult importResize(NodeContext &);
LogicalResult importQuantizeLinear(NodeContext &);
LogicalResult importDequantizeLinear(NodeContext &);
LogicalResult importDynamicQuantizeLinear(NodeContext &);
LogicalResult importMatMulInteger(NodeContext &);
LogicalResult importQLinearMatMul(NodeContext &);
LogicalResult importConvInteger(NodeContext &);
LogicalResult importQLinearConv(NodeContext &);
LogicalResult importTopK(NodeContext &);
LogicalResult importShrink(NodeContext &);
LogicalResult importEyeLike(NodeContext &);
LogicalResult importHannWindow(NodeContext &);
LogicalResult importHammingWindow(NodeContext &);
LogicalResult importBlackmanWindow(NodeContext &);
LogicalResult importCompress(NodeContext &);
LogicalResult importReverseSequence(NodeContext &);
LogicalResult importMaxUnpool(NodeContext &);

// Legacy.cpp (older versions whose parameters were attributes; Det)
LogicalResult importPadV2(NodeContext &);
LogicalResult importSliceV1(NodeContext &);
LogicalResult importUpsample(NodeContext &);
LogicalResult importDet(NodeContext &);

// GridSample.cpp
LogicalResult importGridSample(NodeContext &);

// ControlFlow.cpp (subgraphs inlined at import)
LogicalResult importIf(NodeContext &);
LogicalResult importScan(NodeContext &);

// Loop.cpp (scf.while around the imported body)
LogicalResult importLoop(NodeContext &);

// DFT.cpp
LogicalResult importDFT(NodeContext &);

// TfIdfVectorizer.cpp
LogicalResult importTfIdfVectorizer(NodeContext &);

// Training.cpp (domain ai.onnx.preview.training)
LogicalResult importAdagrad(NodeContext &);
LogicalResult importAdam(NodeContext &);
LogicalResult importMomentum(NodeContext &);
/// The handler for an op of the ai.onnx.preview.training domain, as
/// lookupOpHandler does for the default domain.
const OpTableEntry *lookupTrainingOpHandler(llvm::StringRef opType,
                                            int64_t opset,
                                            SmallVectorImpl<int> &versions);

// Sequence.cpp (sequences are lists of values at import)
LogicalResult importSequenceEmpty(NodeContext &);
LogicalResult importSequenceConstruct(NodeContext &);
LogicalResult importSequenceInsert(NodeContext &);
LogicalResult importSequenceErase(NodeContext &);
LogicalResult importSequenceAt(NodeContext &);
LogicalResult importSequenceLength(NodeContext &);
LogicalResult importConcatFromSequence(NodeContext &);
LogicalResult importSplitToSequence(NodeContext &);
/// Whether the default-domain op `opType` takes sequence operands.
bool takesSequences(llvm::StringRef opType);

// Recurrent.cpp (unrolled over the static sequence length)
LogicalResult importRNN(NodeContext &);
LogicalResult importGRU(NodeContext &);
LogicalResult importLSTM(NodeContext &);

} // namespace mlir::ds::onnx_import

#endif // DS_LIB_IMPORT_ONNX_IMPORTER_H
