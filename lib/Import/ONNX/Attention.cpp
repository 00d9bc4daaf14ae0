//===- Attention.cpp - ONNX Attention (opset 23) --------------------------===//
//
// Attention maps onto dsg.attention. ONNX 1.12 (the version ds builds
// against) predates the op, so shape inference leaves its outputs untyped:
// the handler computes the result type itself.
//
// Differences handled here:
// * 3-D inputs `[B, L, heads * D]` (with q_num_heads / kv_num_heads) are
//   split into `[B, heads, L, D]` and the result merged back.
// * ONNX's is_causal aligns the triangle to the top-left corner (query i
//   sees keys j <= i); dsg.attention's `causal` to the bottom-right. They
//   agree when the sequence lengths do; otherwise the triangle becomes an
//   explicit boolean mask.
// * The KV cache (past_key / past_value, present_* outputs), softcap and the
//   qk_matmul_output output are not supported yet and say so.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "Graph/GraphOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// [B, L, H * D] -> [B, H, L, D].
static FailureOr<Value> splitHeads(NodeContext &ctx, Value v, int64_t heads,
                                   StringRef what) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t hidden = t.getDimSize(2);
  if (!t.hasStaticShape())
    return ctx.unsupported() << "3-D " << what
                             << " with dynamic sizes is not supported";
  if (heads <= 0 || hidden % heads != 0)
    return ctx.invalid() << "expected the hidden size " << hidden << " of "
                         << what << " to be a multiple of its number of heads ("
                         << heads << ")";
  int64_t b = t.getDimSize(0), l = t.getDimSize(1), d = hidden / heads;
  FailureOr<Value> split = ctx.reshapeTo(v, {b, l, heads, d});
  if (failed(split))
    return failure();
  return dsg::TransposeOp::create(ctx.builder(), ctx.getLoc(),
                                  t.clone({b, heads, l, d}), *split,
                                  ctx.builder().getDenseI64ArrayAttr({0, 2, 1, 3}))
      .getResult();
}

LogicalResult mlir::ds::onnx_import::importAttention(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 6)))
    return failure();
  if (ctx.hasInput(4) || ctx.hasInput(5) || ctx.hasOutput(1) ||
      ctx.hasOutput(2))
    return ctx.unsupported()
           << "the KV cache (past_key, past_value, present_key, "
              "present_value) is not supported yet";
  if (ctx.hasOutput(3))
    return ctx.unsupported() << "the qk_matmul_output output is not supported";
  float softcap = 0.0f;
  int64_t causal = 0, qHeads = 0, kvHeads = 0;
  if (failed(ctx.floatAttr("softcap", softcap)) ||
      failed(ctx.intAttr("is_causal", causal)) ||
      failed(ctx.intAttr("q_num_heads", qHeads)) ||
      failed(ctx.intAttr("kv_num_heads", kvHeads)))
    return failure();
  if (softcap != 0.0f)
    return ctx.unsupported() << "softcap " << softcap << " is not supported";
  if (causal != 0 && causal != 1)
    return ctx.invalid() << "expected is_causal 0 or 1, found " << causal;

  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Value q = ctx.input(0), k = ctx.input(1), v = ctx.input(2);
  RankedTensorType qt = ctx.inputType(0);
  int64_t rank = qt.getRank();
  if (rank != 3 && rank != 4)
    return ctx.invalid() << "expected 3-D or 4-D Q, found rank " << rank;
  for (unsigned i = 1; i < 3; ++i)
    if (ctx.inputType(i).getRank() != rank)
      return ctx.invalid() << "expected Q, K and V of one rank, found ranks "
                           << rank << ", " << ctx.inputType(1).getRank()
                           << ", " << ctx.inputType(2).getRank();
  if (!isa<FloatType>(qt.getElementType()))
    return ctx.unsupported() << "Attention on " << qt.getElementType()
                             << " is not supported";
  if (rank == 3) {
    if (!ctx.hasAttr("q_num_heads") || !ctx.hasAttr("kv_num_heads"))
      return ctx.invalid()
             << "3-D inputs need the q_num_heads and kv_num_heads attributes";
    FailureOr<Value> q4 = splitHeads(ctx, q, qHeads, "Q");
    if (failed(q4))
      return failure();
    FailureOr<Value> k4 = splitHeads(ctx, k, kvHeads, "K");
    if (failed(k4))
      return failure();
    FailureOr<Value> v4 = splitHeads(ctx, v, kvHeads, "V");
    if (failed(v4))
      return failure();
    q = *q4, k = *k4, v = *v4;
  }
  auto q4t = cast<RankedTensorType>(q.getType());
  auto k4t = cast<RankedTensorType>(k.getType());
  auto v4t = cast<RankedTensorType>(v.getType());
  int64_t headSize = q4t.getDimSize(3);

  float scale = 0.0f;
  if (ctx.hasAttr("scale")) {
    if (failed(ctx.floatAttr("scale", scale)))
      return failure();
  } else {
    if (ShapedType::isDynamic(headSize) || headSize == 0)
      return ctx.unsupported()
             << "the default scale needs a static, non-zero head size";
    scale = 1.0f / std::sqrt(static_cast<float>(headSize));
  }

  // is_causal: top-left aligned in ONNX.
  int64_t lq = q4t.getDimSize(2), lk = k4t.getDimSize(2);
  Value mask = ctx.hasInput(3) ? ctx.input(3) : Value();
  bool bottomRightCausal = false;
  if (causal) {
    if (!ShapedType::isDynamic(lq) && lq == lk) {
      bottomRightCausal = true;
    } else if (ShapedType::isDynamic(lq) || ShapedType::isDynamic(lk)) {
      return ctx.unsupported() << "is_causal with dynamic sequence lengths "
                                  "that may differ is not supported";
    } else {
      SmallVector<bool> tril(lq * lk);
      for (int64_t i = 0; i < lq; ++i)
        for (int64_t j = 0; j < lk; ++j)
          tril[i * lk + j] = j <= i;
      auto type = RankedTensorType::get({lq, lk}, b.getI1Type());
      Value triangle = dsg::ConstantOp::create(
          b, loc, type, DenseElementsAttr::get(type, ArrayRef<bool>(tril)));
      if (!mask) {
        mask = triangle;
      } else {
        auto mt = cast<RankedTensorType>(mask.getType());
        FailureOr<SmallVector<int64_t>> shape =
            graph::broadcastShapes({mt.getShape(), type.getShape()});
        if (failed(shape))
          return ctx.invalid() << "attn_mask does not broadcast to the "
                                  "scores' [q_sequence_length, "
                                  "total_sequence_length]";
        if (mt.getElementType().isInteger(1)) {
          mask = dsg::AndOp::create(b, loc, type.clone(*shape), triangle, mask);
        } else {
          auto ninfType = RankedTensorType::get({}, mt.getElementType());
          Value ninf = dsg::ConstantOp::create(
              b, loc, ninfType,
              DenseElementsAttr::get(
                  ninfType,
                  APFloat::getInf(
                      cast<FloatType>(mt.getElementType()).getFloatSemantics(),
                      /*Negative=*/true)));
          mask = dsg::WhereOp::create(b, loc, mt.clone(*shape), triangle, mask,
                                      ninf);
        }
      }
    }
  }

  auto resultType = RankedTensorType::get(
      {q4t.getDimSize(0), q4t.getDimSize(1), lq, v4t.getDimSize(3)},
      q4t.getElementType());
  Value result = dsg::AttentionOp::create(b, loc, resultType, q, k, v, mask,
                                          b.getF32FloatAttr(scale),
                                          b.getBoolAttr(bottomRightCausal));
  if (rank == 3) {
    int64_t bs = resultType.getDimSize(0), h = resultType.getDimSize(1),
            dv = resultType.getDimSize(3);
    Value merged = dsg::TransposeOp::create(
        b, loc, resultType.clone({bs, lq, h, dv}), result,
        b.getDenseI64ArrayAttr({0, 2, 1, 3}));
    FailureOr<Value> flat = ctx.reshapeTo(merged, {bs, lq, h * dv});
    if (failed(flat))
      return failure();
    result = *flat;
  }
  FailureOr<RankedTensorType> declared =
      ctx.outputType(0, cast<RankedTensorType>(result.getType()));
  if (failed(declared))
    return failure();
  if (*declared != result.getType())
    return ctx.invalid() << "expected output Y of type " << result.getType()
                         << ", the model declares " << *declared;
  ctx.setOutput(0, result);
  return success();
}
