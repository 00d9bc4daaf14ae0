//===- OpTable.cpp - the ONNX ops ds imports, by opset version ------------===//
//
// One row per (op, since_version) that ds handles. A model at opset N uses
// the row with the largest since_version <= N, so a version whose semantics
// ds has not checked is never imported by accident: an older, differently
// specified version simply has no row. Versions that changed only type
// constraints share the handler of the previous row.
//
//===----------------------------------------------------------------------===//
#include "DynamicShapes.h"
#include "Importer.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;

static const OpTableEntry kOpTable[] = {
    // Elementwise (Elementwise.cpp). Versions 6 and 1 use the legacy
    // `broadcast`/`axis` attributes, which the handlers rewrite into NumPy
    // broadcasting.
    {"Add", 6, importAdd},
    {"Add", 7, importAdd},
    {"Add", 13, importAdd},
    {"Add", 14, importAdd},
    {"Sub", 6, importSub},
    {"Sub", 7, importSub},
    {"Sub", 13, importSub},
    {"Sub", 14, importSub},
    {"Mul", 6, importMul},
    {"Mul", 7, importMul},
    {"Mul", 13, importMul},
    {"Mul", 14, importMul},
    {"Div", 6, importDiv},
    {"Div", 7, importDiv},
    {"Div", 13, importDiv},
    {"Div", 14, importDiv},
    {"Pow", 1, importPow},
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
    // Unary math, activations, variadic, comparison and logical ops
    // (Elementwise.cpp). Max/Min/Sum/Mean 6 require equal
    // shapes (a special case of broadcasting); versions 1-5 and the comparison and
    // logical ops before 7 used legacy broadcasting and are not imported.
    {"Neg", 6, importNeg},
    {"Neg", 13, importNeg},
    {"Abs", 6, importAbs},
    {"Abs", 13, importAbs},
    {"Sign", 9, importSign},
    {"Sign", 13, importSign},
    {"Reciprocal", 6, importReciprocal},
    {"Reciprocal", 13, importReciprocal},
    {"Floor", 6, importFloor},
    {"Floor", 13, importFloor},
    {"Ceil", 6, importCeil},
    {"Ceil", 13, importCeil},
    {"Round", 11, importRound},
    {"Log", 6, importLog},
    {"Log", 13, importLog},
    {"Sin", 7, importSin},
    {"Cos", 7, importCos},
    {"Tan", 7, importTan},
    {"Asin", 7, importAsin},
    {"Acos", 7, importAcos},
    {"Atan", 7, importAtan},
    {"Sinh", 9, importSinh},
    {"Cosh", 9, importCosh},
    {"Asinh", 9, importAsinh},
    {"Acosh", 9, importAcosh},
    {"Atanh", 9, importAtanh},
    {"Softplus", 1, importSoftplus},
    {"Softsign", 1, importSoftsign},
    {"HardSwish", 14, importHardSwish},
    {"Elu", 6, importElu},
    {"Selu", 6, importSelu},
    {"LeakyRelu", 6, importLeakyRelu},
    {"LeakyRelu", 16, importLeakyRelu},
    {"HardSigmoid", 6, importHardSigmoid},
    {"ThresholdedRelu", 10, importThresholdedRelu},
    {"Not", 1, importNot},
    {"IsNaN", 9, importIsNaN},
    {"IsNaN", 13, importIsNaN},
    {"IsInf", 10, importIsInf},
    {"Max", 6, importMax}, // Equal shapes only before 8: a special case.
    {"Max", 8, importMax},
    {"Max", 12, importMax},
    {"Max", 13, importMax},
    {"Min", 6, importMin}, // Equal shapes only before 8: a special case.
    {"Min", 8, importMin},
    {"Min", 12, importMin},
    {"Min", 13, importMin},
    {"Sum", 6, importSum}, // Equal shapes only before 8: a special case.
    {"Sum", 8, importSum},
    {"Sum", 13, importSum},
    {"Mean", 6, importMean}, // Equal shapes only before 8: a special case.
    {"Mean", 8, importMean},
    {"Mean", 13, importMean},
    {"Mod", 10, importMod},
    {"Mod", 13, importMod},
    {"BitShift", 11, importBitShift},
    {"Equal", 7, importEqual},
    {"Equal", 11, importEqual},
    {"Equal", 13, importEqual},
    {"Less", 7, importLess},
    {"Less", 9, importLess},
    {"Less", 13, importLess},
    {"LessOrEqual", 12, importLessOrEqual},
    {"LessOrEqual", 16, importLessOrEqual},
    {"Greater", 7, importGreater},
    {"Greater", 9, importGreater},
    {"Greater", 13, importGreater},
    {"GreaterOrEqual", 12, importGreaterOrEqual},
    {"GreaterOrEqual", 16, importGreaterOrEqual},
    {"And", 7, importAnd},
    {"Or", 7, importOr},
    {"Xor", 7, importXor},

    // Linear algebra, convolution, pooling, normalization (NN.cpp).
    {"MatMul", 1, importMatMul},
    {"MatMul", 9, importMatMul},
    {"MatMul", 13, importMatMul},
    {"Gemm", 6, importGemm}, // `broadcast` only allowed what 7 always does.
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
    {"AveragePool", 1, importAveragePool}, // 7 added count_include_pad.
    {"AveragePool", 7, importAveragePool},
    {"AveragePool", 10, importAveragePool},
    {"AveragePool", 11, importAveragePool},
    {"BatchNormalization", 6, importBatchNormalization},
    {"BatchNormalization", 7, importBatchNormalization},
    {"BatchNormalization", 9, importBatchNormalization},
    {"BatchNormalization", 14, importBatchNormalization},
    {"BatchNormalization", 15, importBatchNormalization},
    {"LayerNormalization", 17, importLayerNormalization},
    {"Softmax", 1, importSoftmaxFlattened},
    {"Softmax", 11, importSoftmaxFlattened},
    {"Softmax", 13, importSoftmax},

    // More NN ops, decomposed into dsg ops on import (NNExtra.cpp).
    // LogSoftmax and Hardmax before 13 work on the input flattened to 2-D;
    // Clip before 11 has attribute bounds, from 11 optional operands.
    {"LogSoftmax", 1, importLogSoftmax},
    {"LogSoftmax", 11, importLogSoftmax},
    {"LogSoftmax", 13, importLogSoftmax},
    {"Hardmax", 1, importHardmax},
    {"Hardmax", 11, importHardmax},
    {"Hardmax", 13, importHardmax},
    {"Clip", 6, importClip},
    {"Clip", 11, importClip},
    {"Clip", 12, importClip},
    {"Clip", 13, importClip},
    {"Dropout", 7, importDropout},
    {"Dropout", 10, importDropout},
    {"Dropout", 12, importDropout},
    {"Dropout", 13, importDropout},
    {"Celu", 12, importCelu},
    {"Mish", 18, importMish},
    {"PRelu", 6, importPRelu},
    {"PRelu", 7, importPRelu},
    {"PRelu", 9, importPRelu},
    {"PRelu", 16, importPRelu},
    {"InstanceNormalization", 6, importInstanceNormalization},
    {"MeanVarianceNormalization", 9, importMeanVarianceNormalization},
    {"MeanVarianceNormalization", 13, importMeanVarianceNormalization},
    {"LRN", 1, importLRN},
    {"LRN", 13, importLRN},
    {"NegativeLogLikelihoodLoss", 12, importNegativeLogLikelihoodLoss},
    {"NegativeLogLikelihoodLoss", 13, importNegativeLogLikelihoodLoss},
    {"SoftmaxCrossEntropyLoss", 12, importSoftmaxCrossEntropyLoss},
    {"SoftmaxCrossEntropyLoss", 13, importSoftmaxCrossEntropyLoss},
    {"Einsum", 12, importEinsum},
    {"ConvTranspose", 1, importConvTranspose},
    {"ConvTranspose", 11, importConvTranspose},

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
    // The axes attribute forms (through opset 17); all but ReduceProd
    // decompose into reduce_sum and elementwise ops.
    {"ReduceProd", 1, importReduceProd},
    {"ReduceProd", 11, importReduceProd},
    {"ReduceProd", 13, importReduceProd},
    {"ReduceL1", 1, importReduceL1},
    {"ReduceL1", 11, importReduceL1},
    {"ReduceL1", 13, importReduceL1},
    {"ReduceL2", 1, importReduceL2},
    {"ReduceL2", 11, importReduceL2},
    {"ReduceL2", 13, importReduceL2},
    {"ReduceSumSquare", 1, importReduceSumSquare},
    {"ReduceSumSquare", 11, importReduceSumSquare},
    {"ReduceSumSquare", 13, importReduceSumSquare},
    {"ReduceLogSum", 1, importReduceLogSum},
    {"ReduceLogSum", 11, importReduceLogSum},
    {"ReduceLogSum", 13, importReduceLogSum},
    {"ReduceLogSumExp", 1, importReduceLogSumExp},
    {"ReduceLogSumExp", 11, importReduceLogSumExp},
    {"ReduceLogSumExp", 13, importReduceLogSumExp},
    // select_last_index came with version 12 (absent before: 0).
    {"ArgMax", 1, importArgMax},
    {"ArgMax", 11, importArgMax},
    {"ArgMax", 12, importArgMax},
    {"ArgMax", 13, importArgMax},
    {"ArgMin", 1, importArgMin},
    {"ArgMin", 11, importArgMin},
    {"ArgMin", 12, importArgMin},
    {"ArgMin", 13, importArgMin},
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
    // Folded to constants (static shapes; a constant shape input).
    {"Shape", 1, importShape},
    {"Shape", 13, importShape},
    {"Shape", 15, importShape},
    {"Size", 1, importSize},
    {"Size", 13, importSize},
    {"ConstantOfShape", 9, importConstantOfShape},
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

    // ---- Indexing: slicing, padding, gathers, scatters (Indexing.cpp) ----
    // Parameters that ONNX passes as tensors may be computed at run time;
    // the result shapes must then be static (declared or inferred). Older
    // versions that took them as attributes have no row.
    {"Slice", 1, importSliceV1}, // Attributes (Legacy.cpp).
    {"Slice", 10, importSlice},
    {"Slice", 11, importSlice},
    {"Slice", 13, importSlice},
    {"Split", 2, importSplit},
    {"Split", 11, importSplit},
    {"Split", 13, importSplit},
    {"Pad", 2, importPadV2}, // Attributes (Legacy.cpp).
    {"Pad", 11, importPad},
    {"Pad", 13, importPad},
    {"Tile", 6, importTile},
    {"Tile", 13, importTile},
    {"Expand", 8, importExpand},
    {"Expand", 13, importExpand},
    {"Range", 11, importRange},
    // Data-dependent output shape (docs/dynamic-shapes.md).
    {"NonZero", 9, importNonZero},
    {"NonZero", 13, importNonZero},
    {"Trilu", 14, importTrilu},
    {"CumSum", 11, importCumSum},
    {"CumSum", 14, importCumSum},
    {"GatherElements", 11, importGatherElements},
    {"GatherElements", 13, importGatherElements},
    {"GatherND", 11, importGatherND},
    {"GatherND", 12, importGatherND},
    {"GatherND", 13, importGatherND},
    // reduction (add, mul) came with version 16; max/min (18) have no row.
    {"ScatterElements", 11, importScatterElements},
    {"ScatterElements", 13, importScatterElements},
    {"ScatterElements", 16, importScatterElements},
    // Scatter (deprecated in 11) is ScatterElements without reduction.
    {"Scatter", 9, importScatterElements},
    {"Scatter", 11, importScatterElements},
    {"ScatterND", 11, importScatterND},
    {"ScatterND", 13, importScatterND},
    {"ScatterND", 16, importScatterND},
    {"OneHot", 9, importOneHot},
    {"OneHot", 11, importOneHot},
    {"DepthToSpace", 1, importDepthToSpace},
    {"DepthToSpace", 11, importDepthToSpace},
    {"DepthToSpace", 13, importDepthToSpace},
    {"SpaceToDepth", 1, importSpaceToDepth},
    {"SpaceToDepth", 13, importSpaceToDepth},
    // ---- end Indexing ----
    // ---- Misc (Misc.cpp): decomposed into existing dsg ops ----
    // Resize: constant scales or sizes fold the taps into constants; run-time
    // scales (and tf_crop_and_resize) compute them in the graph and need a
    // static declared output shape. 10 has no row; 18 (antialias) neither.
    {"Resize", 11, importResize},
    // Upsample-9 through the Resize handler (Legacy.cpp); deprecated in 10.
    {"Upsample", 9, importUpsample},
    {"Resize", 13, importResize},
    // Quantization, decomposed into casts, i32 arithmetic and float
    // rescaling with round-half-to-even and saturation (8-bit types only).
    {"QuantizeLinear", 10, importQuantizeLinear},
    {"QuantizeLinear", 13, importQuantizeLinear},
    {"DequantizeLinear", 10, importDequantizeLinear},
    {"DequantizeLinear", 13, importDequantizeLinear},
    {"DynamicQuantizeLinear", 11, importDynamicQuantizeLinear},
    {"MatMulInteger", 10, importMatMulInteger},
    {"QLinearMatMul", 10, importQLinearMatMul},
    // ConvInteger/QLinearConv: i32 dsg.conv; auto_pad NOTSET or VALID.
    {"ConvInteger", 10, importConvInteger},
    {"QLinearConv", 10, importQLinearConv},
    // TopK by ranking (static shapes; k is the declared output size). 1 took
    // k as an attribute, 11 added largest/sorted and negative axes.
    {"TopK", 1, importTopK},
    {"TopK", 10, importTopK},
    {"TopK", 11, importTopK},
    {"Shrink", 9, importShrink},
    // EyeLike and the windows become constants (static shapes / sizes).
    {"EyeLike", 9, importEyeLike},
    {"HannWindow", 17, importHannWindow},
    {"HammingWindow", 17, importHammingWindow},
    {"BlackmanWindow", 17, importBlackmanWindow},
    // Compress needs a static output size (the number of true conditions).
    {"Compress", 9, importCompress},
    {"Compress", 11, importCompress},
    {"ReverseSequence", 10, importReverseSequence},
    // MaxUnpool: a scatter into a flat zero tensor (static shapes).
    {"MaxUnpool", 9, importMaxUnpool},
    {"MaxUnpool", 11, importMaxUnpool},
    // Det by the Leibniz formula, for orders up to 5 (Legacy.cpp).
    {"Det", 11, importDet},
    // GridSample, 2-D (GridSample.cpp): taps gathered from the flattened
    // image.
    {"GridSample", 16, importGridSample},
    // Sequences built in the graph, resolved at import (Sequence.cpp).
    {"SequenceEmpty", 11, importSequenceEmpty},
    {"SequenceConstruct", 11, importSequenceConstruct},
    {"SequenceInsert", 11, importSequenceInsert},
    {"SequenceErase", 11, importSequenceErase},
    {"SequenceAt", 11, importSequenceAt},
    {"SequenceLength", 11, importSequenceLength},
    {"ConcatFromSequence", 11, importConcatFromSequence},
    {"SplitToSequence", 11, importSplitToSequence},
    // Control flow with subgraphs inlined at import (ControlFlow.cpp): If
    // selects with dsg.where at a run-time condition, Scan unrolls over the
    // static scan length. If-13 and 16 widened the types to sequences and
    // optionals, which are diagnosed where they occur.
    {"If", 11, importIf},
    {"If", 13, importIf},
    {"If", 16, importIf},
    {"Scan", 8, importScan},
    {"Scan", 9, importScan},
    {"Scan", 11, importScan},
    {"Scan", 16, importScan},
    // Loop as scf.while with a run-time trip count and condition (Loop.cpp).
    // Loop-13 and 16 widened the loop-carried types to sequences and
    // optionals, which are diagnosed where they occur.
    {"Loop", 1, importLoop},
    {"Loop", 11, importLoop},
    {"Loop", 13, importLoop},
    {"Loop", 16, importLoop},
    // DFT by constant twiddle matrices (DFT.cpp).
    {"DFT", 17, importDFT},
    // TfIdfVectorizer with an integer pool (TfIdfVectorizer.cpp).
    {"TfIdfVectorizer", 9, importTfIdfVectorizer},
    // ---- end Misc ----
    // Attention (Attention.cpp): dsg.attention. Opset 24 added an input
    // (nonpad_kv_seqlen) whose semantics ds has not checked.
    {"Attention", 23, importAttention},
    // Recurrent ops, unrolled (Recurrent.cpp). Version 14 adds `layout`;
    // version 1 had different attributes and is not imported.
    {"RNN", 7, importRNN},
    {"RNN", 14, importRNN},
    {"GRU", 7, importGRU},
    {"GRU", 14, importGRU},
    {"LSTM", 7, importLSTM},
    {"LSTM", 14, importLSTM},
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
