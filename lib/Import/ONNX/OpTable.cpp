//===- OpTable.cpp - the ONNX ops ds imports, by opset version ------------===//
//
// One row per (op, since_version) that ds handles. A model at opset N uses
// the row with the largest since_version <= N, so a version whose semantics
// ds has not checked is never imported by accident: an older, differently
// specified version simply has no row. Versions that changed only type
// constraints share the handler of the previous row.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;

static const OpTableEntry kOpTable[] = {
    // Elementwise (Elementwise.cpp). Versions before 7 used the legacy
    // `broadcast` attribute rather than NumPy broadcasting.
    {"Add", 7, importAdd},
    {"Add", 13, importAdd},
    {"Add", 14, importAdd},
    {"Sub", 7, importSub},
    {"Sub", 13, importSub},
    {"Sub", 14, importSub},
    {"Mul", 7, importMul},
    {"Mul", 13, importMul},
    {"Mul", 14, importMul},
    {"Div", 7, importDiv},
    {"Div", 13, importDiv},
    {"Div", 14, importDiv},
    {"Pow", 7, importPow},
    {"Pow", 12, importPow},
    {"Pow", 13, importPow},
    {"Pow", 15, importPow},
    {"Sqrt", 6, importSqrt},
    {"Sqrt", 13, importSqrt},
    {"Relu", 6, importRelu},
    {"Relu", 13, importRelu},
    {"Relu", 14, importRelu},
    {"Sigmoid", 6, importSigmoid},
    {"Sigmoid", 13, importSigmoid},
    {"Tanh", 6, importTanh},
    {"Tanh", 13, importTanh},
    {"Erf", 9, importErf},
    {"Erf", 13, importErf},
    {"Exp", 6, importExp},
    {"Exp", 13, importExp},
    {"Cast", 6, importCast},
    {"Cast", 9, importCast},
    {"Cast", 13, importCast},
    {"CastLike", 15, importCastLike},
    {"Where", 9, importWhere},
    {"Where", 16, importWhere},

    // Linear algebra, convolution, pooling, normalization (NN.cpp).
    {"MatMul", 1, importMatMul},
    {"MatMul", 9, importMatMul},
    {"MatMul", 13, importMatMul},
    {"Gemm", 7, importGemm},
    {"Gemm", 9, importGemm},
    {"Gemm", 11, importGemm},
    {"Gemm", 13, importGemm},
    {"Conv", 1, importConv},
    {"Conv", 11, importConv},
    {"MaxPool", 1, importMaxPool},
    {"MaxPool", 8, importMaxPool},
    {"MaxPool", 10, importMaxPool},
    {"MaxPool", 11, importMaxPool},
    {"MaxPool", 12, importMaxPool},
    {"AveragePool", 7, importAveragePool},
    {"AveragePool", 10, importAveragePool},
    {"AveragePool", 11, importAveragePool},
    {"BatchNormalization", 7, importBatchNormalization},
    {"BatchNormalization", 9, importBatchNormalization},
    {"BatchNormalization", 14, importBatchNormalization},
    {"BatchNormalization", 15, importBatchNormalization},
    {"LayerNormalization", 17, importLayerNormalization},
    {"Softmax", 1, importSoftmaxFlattened},
    {"Softmax", 11, importSoftmaxFlattened},
    {"Softmax", 13, importSoftmax},

    // Reductions (Reduction.cpp).
    {"ReduceMean", 1, importReduceMean},
    {"ReduceMean", 11, importReduceMean},
    {"ReduceMean", 13, importReduceMean},
    {"ReduceMax", 1, importReduceMax},
    {"ReduceMax", 11, importReduceMax},
    {"ReduceMax", 12, importReduceMax},
    {"ReduceMax", 13, importReduceMax},
    {"ReduceMin", 1, importReduceMin},
    {"ReduceMin", 11, importReduceMin},
    {"ReduceMin", 12, importReduceMin},
    {"ReduceMin", 13, importReduceMin},
    {"ReduceSum", 1, importReduceSum},
    {"ReduceSum", 11, importReduceSum},
    {"ReduceSum", 13, importReduceSumAxesInput},
    {"GlobalAveragePool", 1, importGlobalAveragePool},
    {"GlobalMaxPool", 1, importGlobalMaxPool},

    // Data movement (Tensor.cpp).
    {"Constant", 1, importConstant},
    {"Constant", 9, importConstant},
    {"Constant", 11, importConstant},
    {"Constant", 12, importConstant},
    {"Constant", 13, importConstant},
    {"Identity", 1, importIdentity},
    {"Identity", 13, importIdentity},
    {"Identity", 14, importIdentity},
    {"Identity", 16, importIdentity},
    {"Reshape", 5, importReshape},
    {"Reshape", 13, importReshape},
    {"Reshape", 14, importReshape},
    {"Flatten", 1, importFlatten},
    {"Flatten", 9, importFlatten},
    {"Flatten", 11, importFlatten},
    {"Flatten", 13, importFlatten},
    {"Transpose", 1, importTranspose},
    {"Transpose", 13, importTranspose},
    {"Concat", 4, importConcat},
    {"Concat", 11, importConcat},
    {"Concat", 13, importConcat},
    {"Gather", 1, importGather},
    {"Gather", 11, importGather},
    {"Gather", 13, importGather},
    {"Unsqueeze", 1, importUnsqueeze},
    {"Unsqueeze", 11, importUnsqueeze},
    {"Unsqueeze", 13, importUnsqueeze},
    {"Squeeze", 1, importSqueeze},
    {"Squeeze", 11, importSqueeze},
    {"Squeeze", 13, importSqueeze},
};

const OpTableEntry *
mlir::ds::onnx_import::lookupOpHandler(StringRef opType, int64_t opset,
                                       SmallVectorImpl<int> &versions) {
  const OpTableEntry *best = nullptr;
  for (const OpTableEntry &entry : kOpTable) {
    if (opType != entry.opType)
      continue;
    versions.push_back(entry.sinceVersion);
    if (entry.sinceVersion <= opset &&
        (!best || entry.sinceVersion > best->sinceVersion))
      best = &entry;
  }
  return best;
}
