//===- Legacy.cpp - older ONNX op versions, and Det -----------------------===//
//
// Pad-2 and Slice-1 took their parameters as attributes, which later versions
// turned into inputs: the handlers make them constants and build the same dsg
// ops. Upsample-9 is Resize with the asymmetric coordinate transformation
// and, for nearest, the floor rounding; it is imported through the Resize
// handler. Det expands the Leibniz formula for the small static matrices it
// supports.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The type of output `i`, which must be static.
static FailureOr<RankedTensorType>
staticResult(NodeContext &ctx, unsigned i, RankedTensorType fallback = {}) {
  FailureOr<RankedTensorType> type = ctx.outputType(i, fallback);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(i)
                             << "' needs a static shape, found " << *type;
  return type;
}

//===----------------------------------------------------------------------===//
// Pad-2
//===----------------------------------------------------------------------===//

/// Pad-2: `pads`, `mode` and the float `value` are attributes.
LogicalResult mlir::ds::onnx_import::importPadV2(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  SmallVector<int64_t> pads;
  std::string mode = "constant";
  float value = 0.0f;
  if (failed(ctx.intsAttr("pads", pads)) ||
      failed(ctx.stringAttr("mode", mode)) ||
      failed(ctx.floatAttr("value", value)))
    return failure();
  if (!ctx.hasAttr("pads"))
    return ctx.invalid() << "the required attribute 'pads' is missing";
  if (static_cast<int64_t>(pads.size()) != 2 * in.getRank())
    return ctx.invalid() << "expected " << 2 * in.getRank()
                         << " pads, found " << pads.size();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.invalid() << "expected mode constant, reflect or edge, found '"
                         << mode << "'";
  if (mode == "constant" && !isa<FloatType>(in.getElementType()))
    return ctx.unsupported() << "a constant pad of a non-float tensor ("
                             << in << ") is not supported at this opset";
  FailureOr<RankedTensorType> type = staticResult(ctx, 0);
  if (failed(type))
    return failure();
  Emitter e(ctx);
  Value fill =
      mode == "constant" ? e.scalar(in.getElementType(), value) : Value();
  ctx.setOutput(0, dsg::PadOp::create(e.b, e.loc, *type, ctx.input(0),
                                      ctx.constantI64(pads), fill,
                                      e.b.getStringAttr(mode)));
  return success();
}

//===----------------------------------------------------------------------===//
// Slice-1
//===----------------------------------------------------------------------===//

/// Slice-1: `starts`, `ends` and the optional `axes` are attributes; steps
/// are 1.
LogicalResult mlir::ds::onnx_import::importSliceV1(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  int64_t rank = in.getRank();
  SmallVector<int64_t> starts, ends, axes;
  if (failed(ctx.intsAttr("starts", starts)) ||
      failed(ctx.intsAttr("ends", ends)) || failed(ctx.intsAttr("axes", axes)))
    return failure();
  if (!ctx.hasAttr("starts") || !ctx.hasAttr("ends"))
    return ctx.invalid() << "the required attributes 'starts' and 'ends' "
                            "must both be present";
  if (starts.size() != ends.size())
    return ctx.invalid() << "expected starts and ends of one length, found "
                         << starts.size() << " and " << ends.size();
  if (!ctx.hasAttr("axes"))
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (axes.size() != starts.size())
    return ctx.invalid() << "expected " << starts.size() << " axes, found "
                         << axes.size();
  // The result shape where the sliced sizes are static (ONNX clamps the
  // bounds to the dimension).
  SmallVector<int64_t> shape(in.getShape());
  SmallVector<int64_t> seen;
  for (auto [j, a] : llvm::enumerate(axes)) {
    int64_t axis = a;
    if (failed(ctx.normalizeAxis(axis, rank)))
      return failure();
    if (llvm::is_contained(seen, axis))
      return ctx.invalid() << "axis " << axis << " is sliced twice";
    seen.push_back(axis);
    axes[j] = axis;
    int64_t size = in.getDimSize(axis);
    if (ShapedType::isDynamic(size))
      continue;
    int64_t start = starts[j] < 0 ? starts[j] + size : starts[j];
    int64_t end = ends[j] < 0 ? ends[j] + size : ends[j];
    start = std::clamp<int64_t>(start, 0, size);
    end = std::clamp<int64_t>(end, 0, size);
    shape[axis] = std::max<int64_t>(end - start, 0);
  }
  FailureOr<RankedTensorType> type = staticResult(
      ctx, 0, RankedTensorType::get(shape, in.getElementType()));
  if (failed(type))
    return failure();
  SmallVector<int64_t> ones(axes.size(), 1);
  ctx.setOutput(0, dsg::SliceOp::create(
                       ctx.builder(), ctx.getLoc(), *type, ctx.input(0),
                       ctx.constantI64(starts), ctx.constantI64(axes),
                       ctx.constantI64(ones)));
  return success();
}

//===----------------------------------------------------------------------===//
// Upsample-9
//===----------------------------------------------------------------------===//

/// Upsample-9 (X, scales) is Resize-11 (X, roi = none, scales) with
/// coordinate_transformation_mode = asymmetric and nearest_mode = floor:
/// output index i reads input index floor(i / scale).
LogicalResult mlir::ds::onnx_import::importUpsample(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  std::string mode = "nearest";
  if (failed(ctx.stringAttr("mode", mode)))
    return failure();
  if (mode != "nearest" && mode != "linear")
    return ctx.invalid() << "expected mode nearest or linear, found '" << mode
                         << "'";
  onnx::NodeProto resize = ctx.proto();
  resize.clear_attribute();
  resize.clear_input();
  resize.add_input(ctx.proto().input(0));
  resize.add_input("");
  resize.add_input(ctx.proto().input(1));
  auto addString = [&](const char *name, const std::string &value) {
    onnx::AttributeProto *a = resize.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value);
  };
  addString("mode", mode);
  addString("coordinate_transformation_mode", "asymmetric");
  addString("nearest_mode", "floor");
  // The inner context reads the same operands and declared output types.
  NodeContext inner(ctx.parent, resize, 0, ctx.opset(), /*sinceVersion=*/11,
                    ctx.getLoc(), {ctx.input(0), Value(), ctx.input(1)});
  if (failed(importResize(inner)))
    return failure();
  ctx.setOutput(0, inner.output(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Det
//===----------------------------------------------------------------------===//

/// The largest matrix order Det expands (n! products of n factors).
static constexpr int64_t kMaxDetOrder = 5;

/// Det of [..., n, n] by the Leibniz formula: one gather picks, for every
/// permutation p of 0..n-1, the factors A[i, p(i)]; their products, signed
/// by the parity of p, sum to the determinant.
LogicalResult mlir::ds::onnx_import::importDet(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  if (!isa<FloatType>(in.getElementType()))
    return ctx.invalid() << "expected a floating-point input, found " << in;
  int64_t rank = in.getRank();
  if (rank < 2)
    return ctx.invalid() << "expected a tensor of rank 2 or more, found "
                         << in;
  if (!in.hasStaticShape())
    return ctx.unsupported() << "ds imports it for static shapes only, found "
                             << in;
  int64_t n = in.getDimSize(rank - 1);
  if (in.getDimSize(rank - 2) != n)
    return ctx.invalid() << "expected square matrices, found " << in;
  if (n > kMaxDetOrder)
    return ctx.unsupported() << "ds expands determinants of order up to "
                             << kMaxDetOrder << ", found " << in;
  SmallVector<int64_t> batch(in.getShape().drop_back(2));
  Emitter e(ctx);
  Type element = in.getElementType();
  if (n == 0) {
    auto type = RankedTensorType::get(batch, element);
    ctx.setOutput(0, dsg::ConstantOp::create(
                         e.b, e.loc, type,
                         DenseElementsAttr::get(
                             type, FloatAttr::get(element, 1.0))));
    return success();
  }
  SmallVector<int64_t> perm(n), indices;
  std::iota(perm.begin(), perm.end(), 0);
  SmallVector<Attribute> signs;
  do {
    int64_t inversions = 0;
    for (int64_t i = 0; i < n; ++i) {
      indices.push_back(i * n + perm[i]);
      for (int64_t j = i + 1; j < n; ++j)
        inversions += perm[i] > perm[j];
    }
    signs.push_back(FloatAttr::get(element, inversions % 2 ? -1.0 : 1.0));
  } while (std::next_permutation(perm.begin(), perm.end()));
  int64_t terms = signs.size();
  SmallVector<int64_t> flat(batch), grouped(batch);
  flat.push_back(n * n);
  grouped.append({terms, n});
  FailureOr<Value> x = ctx.reshapeTo(ctx.input(0), flat);
  if (failed(x))
    return failure();
  Value factors = e.gather(*x, batch.size(), indices);
  FailureOr<Value> byTerm = ctx.reshapeTo(factors, grouped);
  if (failed(byTerm))
    return failure();
  int64_t last = batch.size() + 1;
  Value products = e.reduce<dsg::ReduceProdOp>(*byTerm, {last}, false);
  auto signType = RankedTensorType::get({terms}, element);
  Value sign = dsg::ConstantOp::create(e.b, e.loc, signType,
                                       DenseElementsAttr::get(signType, signs));
  Value det = e.reduce<dsg::ReduceSumOp>(e.binary<dsg::MulOp>(products, sign),
                                         {last - 1}, false);
  ctx.setOutput(0, det);
  return success();
}
