//===- Misc.cpp - ONNX Resize and other ops decomposed into dsg -----------===//
//
// Ops that import as compositions of existing dsg ops, with everything that
// can be computed at import time folded into constants:
//
// * Resize: each resized axis is a separable 1-D interpolation whose taps
//   and weights depend only on the sizes and the attributes, so the importer
//   computes them (porting the ONNX reference) and emits one gather per tap,
//   scaled by constant weights and summed. Scales must be constants; sizes
//   may be computed at run time when the declared output shape is static.
// * Quantization (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
//   MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv): casts, zero
//   points subtracted in i32, integer matmuls and convolutions in i32, float
//   rescaling, round-half-to-even and saturation to the 8-bit range.
// * TopK: elements ranked by pairwise comparison (stable), the index of
//   each rank summed out of a one-hot match, values gathered there.
// * Shrink, ReverseSequence, Compress (selected positions ranked like
//   TopK), MaxUnpool (a scatter into zeros); EyeLike and the windows
//   become constants.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"
#include "QuantFold.h"

#include "Graph/GraphOps.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The float values of input `i` if it is a constant.
static std::optional<SmallVector<double>> constantFloats(NodeContext &ctx,
                                                         unsigned i) {
  if (!ctx.hasInput(i))
    return std::nullopt;
  auto constant = ctx.input(i).getDefiningOp<dsg::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  if (!dense)
    return std::nullopt;
  SmallVector<double> values;
  for (const APFloat &v : dense.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

static RankedTensorType withElement(Value v, Type elem) {
  return cast<RankedTensorType>(v.getType()).clone(elem);
}

/// `v` converted to element type `elem` (no-op when it already is).
static Value castTo(NodeContext &ctx, Value v, Type elem) {
  if (cast<RankedTensorType>(v.getType()).getElementType() == elem)
    return v;
  return dsg::CastOp::create(ctx.builder(), ctx.getLoc(), withElement(v, elem),
                             v);
}

/// A rank-0 constant of element type `elem` (float or integer).
static Value scalarOf(NodeContext &ctx, Type elem, double value) {
  auto type = RankedTensorType::get({}, elem);
  Attribute a = isa<FloatType>(elem)
                    ? Attribute(FloatAttr::get(elem, value))
                    : Attribute(IntegerAttr::get(elem, (int64_t)value));
  return dsg::ConstantOp::create(ctx.builder(), ctx.getLoc(), type,
                                 DenseElementsAttr::get(type, {a}));
}

/// The broadcast shape of two ranked types (dynamic where unknown).
static RankedTensorType broadcastType(Value l, Value r, Type elem) {
  auto lt = cast<RankedTensorType>(l.getType()),
       rt = cast<RankedTensorType>(r.getType());
  int64_t rank = std::max(lt.getRank(), rt.getRank());
  SmallVector<int64_t> shape(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t li = i - (rank - lt.getRank()), ri = i - (rank - rt.getRank());
    int64_t a = li >= 0 ? lt.getDimSize(li) : 1,
            b = ri >= 0 ? rt.getDimSize(ri) : 1;
    shape[i] = a == 1 ? b : (b == 1 ? a : (ShapedType::isDynamic(a) ? b : a));
  }
  return RankedTensorType::get(shape, elem);
}

template <typename OpT>
static Value binary(NodeContext &ctx, Value l, Value r) {
  Type elem = cast<RankedTensorType>(l.getType()).getElementType();
  return OpT::create(ctx.builder(), ctx.getLoc(), broadcastType(l, r, elem), l,
                     r);
}

/// A per-axis 1-D parameter reshaped to broadcast along `axis` of a rank
/// `rank` tensor; scalars and one-element tensors are returned unchanged.
static FailureOr<Value> alongAxis(NodeContext &ctx, Value v, int64_t rank,
                                  int64_t axis) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 0 || (t.getRank() == 1 && t.getDimSize(0) == 1))
    return v;
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return failure();
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = t.getDimSize(0);
  return ctx.reshapeTo(v, shape);
}

template <typename OpT>
static Value compare(NodeContext &ctx, Value l, Value r) {
  return OpT::create(ctx.builder(), ctx.getLoc(),
                     broadcastType(l, r, ctx.builder().getI1Type()), l, r);
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

namespace {
struct ResizeAttrs {
  std::string mode = "nearest", coordMode = "half_pixel",
              nearestMode = "round_prefer_floor";
  float cubicA = -0.75f, extrapolation = 0.0f;
  bool excludeOutside = false;
};
/// One output position of a 1-D interpolation: input index -> weight.
using Taps = std::map<int64_t, double>;
} // namespace

/// The taps of every output position of one axis, as in the ONNX reference
/// (interpolate_1d_with_x): edge padding clamps the neighbors into range.
static SmallVector<Taps> resizeTaps(const ResizeAttrs &a, int64_t in,
                                    int64_t out, double scale) {
  SmallVector<Taps> rows;
  double outWidth = scale * static_cast<double>(in);
  for (int64_t x = 0; x < out; ++x) {
    double xd = static_cast<double>(x), xo;
    const std::string &c = a.coordMode;
    if (c == "align_corners")
      xo = outWidth == 1 ? 0.0 : xd * (in - 1) / (outWidth - 1);
    else if (c == "asymmetric")
      xo = xd / scale;
    else if (c == "pytorch_half_pixel")
      xo = outWidth == 1 ? -0.5 : (xd + 0.5) / scale - 0.5;
    else if (c == "tf_half_pixel_for_nn")
      xo = (xd + 0.5) / scale;
    else // half_pixel
      xo = (xd + 0.5) / scale - 0.5;
    double fl = std::floor(xo);
    double ratio = xo == fl ? 1.0 : xo - fl;
    SmallVector<double> coeffs;
    if (a.mode == "nearest") {
      if (ratio == 1.0)
        coeffs = {0, 1};
      else if (a.nearestMode == "round_prefer_floor")
        coeffs = {double(ratio <= 0.5), double(ratio > 0.5)};
      else if (a.nearestMode == "round_prefer_ceil")
        coeffs = {double(ratio < 0.5), double(ratio >= 0.5)};
      else if (a.nearestMode == "floor")
        coeffs = {1, 0};
      else
        coeffs = {0, 1};
    } else if (a.mode == "linear") {
      coeffs = {1 - ratio, ratio};
    } else {
      double A = a.cubicA, r = ratio, s = 1 - ratio;
      coeffs = {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
                ((A + 2) * r - (A + 3)) * r * r + 1,
                ((A + 2) * s - (A + 3)) * s * s + 1,
                ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
    }
    int64_t n = coeffs.size(), pad = (n + 1) / 2, limit = in + 2 * pad;
    double xp = xo + pad;
    // The n indexes of [0, limit) nearest to xp, ties to the smaller.
    SmallVector<int64_t> idx;
    for (int64_t i = 0; i < limit; ++i)
      idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t l, int64_t r) {
      double dl = std::fabs(xp - l), dr = std::fabs(xp - r);
      return dl != dr ? dl < dr : l < r;
    });
    idx.resize(std::min<int64_t>(n, limit));
    llvm::sort(idx);
    if (a.excludeOutside) {
      double sum = 0;
      for (auto [k, i] : llvm::enumerate(idx)) {
        int64_t orig = i - pad;
        if (orig < 0 || orig >= in)
          coeffs[k] = 0;
        sum += coeffs[k];
      }
      for (double &v : coeffs)
        v /= sum;
    }
    Taps taps;
    for (auto [k, i] : llvm::enumerate(idx)) {
      int64_t src = std::clamp<int64_t>(i - pad, 0, in - 1);
      if (coeffs[k] != 0)
        taps[src] += coeffs[k];
    }
    rows.push_back(std::move(taps));
  }
  return rows;
}

static LogicalResult resizeRuntime(NodeContext &ctx, const ResizeAttrs &a,
                                   RankedTensorType type);

/// Resize-11/13 (X, roi, scales, sizes).
LogicalResult mlir::ds::onnx_import::importResize(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 4)))
    return failure();
  ResizeAttrs a;
  int64_t exclude = 0;
  std::string cubicAName = "cubic_coeff_a";
  if (failed(ctx.stringAttr("mode", a.mode)) ||
      failed(ctx.stringAttr("coordinate_transformation_mode", a.coordMode)) ||
      failed(ctx.stringAttr("nearest_mode", a.nearestMode)) ||
      failed(ctx.floatAttr(cubicAName, a.cubicA)) ||
      failed(ctx.intAttr("exclude_outside", exclude)) ||
      failed(ctx.floatAttr("extrapolation_value", a.extrapolation)))
    return failure();
  a.excludeOutside = exclude != 0;
  if (a.mode != "nearest" && a.mode != "linear" && a.mode != "cubic")
    return ctx.invalid() << "expected mode nearest, linear or cubic, found '"
                         << a.mode << "'";
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          a.coordMode))
    return ctx.unsupported() << "coordinate_transformation_mode '"
                             << a.coordMode << "' is not supported";
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          a.nearestMode))
    return ctx.invalid() << "expected nearest_mode round_prefer_floor, "
                            "round_prefer_ceil, floor or ceil, found '"
                         << a.nearestMode << "'";
  RankedTensorType in = ctx.inputType(0);
  if (!in.hasStaticShape())
    return ctx.unsupported() << "Resize needs a static input shape, found "
                             << in;
  int64_t rank = in.getRank();
  auto present = [&](unsigned i) {
    if (!ctx.hasInput(i))
      return false;
    RankedTensorType t = ctx.inputType(i);
    return !(t.getRank() == 1 && t.getDimSize(0) == 0);
  };
  bool hasSizes = present(3), hasScales = present(2);
  if (hasSizes == hasScales)
    return ctx.invalid() << "expected exactly one of scales and sizes";
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (type->getRank() != rank ||
      type->getElementType() != in.getElementType())
    return ctx.invalid() << "expected a result of the input's rank and type, "
                            "found "
                         << *type;
  SmallVector<double> scales;
  SmallVector<int64_t> outShape;
  if (hasScales) {
    std::optional<SmallVector<double>> s = constantFloats(ctx, 2);
    if (!s) {
      RankedTensorType st = ctx.inputType(2);
      if (st.getRank() != 1 || st.getDimSize(0) != rank ||
          !isa<FloatType>(st.getElementType()))
        return ctx.invalid() << "expected " << rank << " float scales, found "
                             << st;
      if (!type->hasStaticShape())
        return ctx.unsupported()
               << "output '" << ctx.proto().output(0)
               << "' needs a static shape (scales are computed at run time), "
                  "found "
               << *type;
      return resizeRuntime(ctx, a, *type);
    }
    if (a.coordMode == "tf_crop_and_resize")
      return ctx.unsupported() << "tf_crop_and_resize needs sizes or "
                                  "run-time scales";
    if (static_cast<int64_t>(s->size()) != rank)
      return ctx.invalid() << "expected " << rank << " scales";
    scales = *s;
    for (int64_t d = 0; d < rank; ++d) {
      if (scales[d] <= 0)
        return ctx.invalid() << "expected positive scales";
      outShape.push_back(static_cast<int64_t>(
          std::floor(static_cast<double>(in.getDimSize(d)) * scales[d])));
    }
  } else {
    if (!type->hasStaticShape())
      return ctx.unsupported()
             << "output '" << ctx.proto().output(0)
             << "' needs a static shape, found " << *type;
    if (a.coordMode == "tf_crop_and_resize")
      return resizeRuntime(ctx, a, *type);
    outShape.assign(type->getShape().begin(), type->getShape().end());
    if (std::optional<SmallVector<int64_t>> s = ctx.constantInts(3))
      if (ArrayRef<int64_t>(*s) != ArrayRef<int64_t>(outShape))
        return ctx.invalid() << "expected sizes to match the output shape "
                             << *type;
    for (int64_t d = 0; d < rank; ++d)
      scales.push_back(static_cast<double>(outShape[d]) /
                       static_cast<double>(in.getDimSize(d)));
  }
  for (int64_t d = 0; d < rank; ++d)
    if (outShape[d] < 1 ||
        (!type->isDynamicDim(d) && type->getDimSize(d) != outShape[d]))
      return ctx.invalid() << "expected an output of shape "
                           << RankedTensorType::get(outShape,
                                                    in.getElementType())
                           << ", found " << *type;

  bool isFloat = isa<FloatType>(in.getElementType());
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Value cur = ctx.input(0);
  SmallVector<int64_t> curShape(in.getShape());
  // Innermost axis first, as the reference nests its 1-D interpolations.
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t inLen = in.getDimSize(d), outLen = outShape[d];
    SmallVector<Taps> rows = resizeTaps(a, inLen, outLen, scales[d]);
    bool identity = inLen == outLen;
    size_t k = 0;
    for (auto [x, taps] : llvm::enumerate(rows)) {
      k = std::max(k, taps.size());
      if (taps.size() != 1 || taps.begin()->first != static_cast<int64_t>(x) ||
          taps.begin()->second != 1.0)
        identity = false;
    }
    if (identity)
      continue;
    bool pureGather = k == 1 && llvm::all_of(rows, [](const Taps &t) {
                        return t.begin()->second == 1.0;
                      });
    if (!pureGather && !isFloat)
      return ctx.unsupported() << "Resize with mode '" << a.mode
                               << "' needs a floating-point input";
    curShape[d] = outLen;
    auto stepType = RankedTensorType::get(curShape, in.getElementType());
    SmallVector<int64_t> wShape(rank, 1);
    wShape[d] = outLen;
    auto wType = RankedTensorType::get(wShape, in.getElementType());
    Value sum;
    for (size_t t = 0; t < k; ++t) {
      SmallVector<int64_t> indices;
      SmallVector<double> weights;
      for (const Taps &taps : rows) {
        auto it = taps.begin();
        std::advance(it, std::min(t, taps.size() - 1));
        indices.push_back(it->first);
        weights.push_back(t < taps.size() ? it->second : 0.0);
      }
      Value g = dsg::GatherOp::create(b, loc, stepType, cur,
                                      ctx.constantI64(indices),
                                      b.getI64IntegerAttr(d));
      if (!pureGather) {
        SmallVector<APFloat> w;
        auto ft = cast<FloatType>(in.getElementType());
        for (double v : weights) {
          APFloat f(v);
          bool lost;
          f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
          w.push_back(f);
        }
        Value wc = dsg::ConstantOp::create(
            b, loc, wType, DenseFPElementsAttr::get(wType, w));
        g = dsg::MulOp::create(b, loc, stepType, g, wc);
      }
      sum = sum ? dsg::AddOp::create(b, loc, stepType, sum, g).getResult() : g;
    }
    cur = sum;
  }
  if (cur.getType() != *type)
    cur = dsg::CastOp::create(b, loc, *type, cur); // identity resize
  ctx.setOutput(0, cur);
  return success();
}

/// Resize-11/13 whose scales are run-time values and whose output shape is
/// static: the source coordinates, taps and weights of each axis are
/// computed at run time (in f64) from the scale, following the reference.
static LogicalResult resizeRuntime(NodeContext &ctx, const ResizeAttrs &a,
                                   RankedTensorType type) {
  RankedTensorType in = ctx.inputType(0);
  int64_t rank = in.getRank();
  Type elem = in.getElementType();
  if (a.mode != "nearest" && !isa<FloatType>(elem))
    return ctx.unsupported() << "Resize with mode '" << a.mode
                             << "' needs a floating-point input";
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Type f64 = b.getF64Type(), i64 = b.getI64Type();
  auto c = [&](double v) { return scalarOf(ctx, f64, v); };
  // With sizes, the scales are the output sizes over the input sizes.
  bool runtimeScales = ctx.hasInput(2) && ctx.inputType(2).getNumElements();
  Value scales = runtimeScales ? castTo(ctx, ctx.input(2), f64) : Value();
  Value roi;
  bool crop = a.coordMode == "tf_crop_and_resize";
  if (crop) {
    if (!ctx.hasInput(1) || ctx.inputType(1).getRank() != 1 ||
        ctx.inputType(1).getDimSize(0) != 2 * rank ||
        !isa<FloatType>(ctx.inputType(1).getElementType()))
      return ctx.invalid() << "expected a roi of " << 2 * rank << " floats";
    roi = castTo(ctx, ctx.input(1), f64);
  }
  Value cur = ctx.input(0);
  SmallVector<int64_t> curShape(in.getShape());
  // tf_crop_and_resize: positions outside the input take the extrapolation
  // value, which the outer axes then interpolate as data (as the reference).
  auto extrapolate = [&](Value &v, Value outside, int64_t d) -> LogicalResult {
    SmallVector<int64_t> mShape(rank, 1);
    mShape[d] = curShape[d];
    FailureOr<Value> mask = ctx.reshapeTo(outside, mShape);
    if (failed(mask))
      return failure();
    Value e = isa<FloatType>(elem) ? scalarOf(ctx, elem, a.extrapolation)
                                   : castTo(ctx, c(a.extrapolation), elem);
    v = dsg::WhereOp::create(b, loc, v.getType(), *mask, e, v);
    return success();
  };
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t inLen = in.getDimSize(d), outLen = type.getDimSize(d);
    auto colType = RankedTensorType::get({1}, f64);
    auto entry = [&](Value v, int64_t i) -> Value {
      return dsg::GatherOp::create(b, loc, colType, v, ctx.constantI64({i}),
                                   b.getI64IntegerAttr(0));
    };
    Value s = scales ? entry(scales, d)
                     : c(static_cast<double>(outLen) / inLen);
    auto xType = RankedTensorType::get({outLen}, f64);
    SmallVector<double> iota;
    for (int64_t i = 0; i < outLen; ++i)
      iota.push_back(i);
    Value x = dsg::ConstantOp::create(
        b, loc, xType, DenseElementsAttr::get(xType, ArrayRef<double>(iota)));
    Value outW = binary<dsg::MulOp>(ctx, s, c(inLen));
    Value halfPixel = binary<dsg::SubOp>(
        ctx, binary<dsg::DivOp>(ctx, binary<dsg::AddOp>(ctx, x, c(0.5)), s),
        c(0.5));
    Value xo, outside;
    const std::string &m = a.coordMode;
    if (crop) {
      Value start = entry(roi, d), end = entry(roi, rank + d);
      Value span = binary<dsg::MulOp>(
          ctx, binary<dsg::SubOp>(ctx, end, start), c(inLen - 1));
      Value v = binary<dsg::DivOp>(ctx, binary<dsg::MulOp>(ctx, x, span),
                                   binary<dsg::SubOp>(ctx, outW, c(1)));
      Value one = compare<dsg::EqualOp>(ctx, outW, c(1));
      xo = dsg::WhereOp::create(b, loc, xType, one,
                                binary<dsg::DivOp>(ctx, span, c(2)), v);
      xo = binary<dsg::AddOp>(
          ctx, xo, binary<dsg::MulOp>(ctx, start, c(inLen - 1)));
      outside = dsg::OrOp::create(
          b, loc, xType.clone(b.getI1Type()),
          compare<dsg::LessOp>(ctx, xo, c(0)),
          compare<dsg::GreaterOp>(ctx, xo, c(inLen - 1)));
    } else if (m == "half_pixel") {
      xo = halfPixel;
    } else if (m == "asymmetric") {
      xo = binary<dsg::DivOp>(ctx, x, s);
    } else if (m == "tf_half_pixel_for_nn") {
      xo = binary<dsg::DivOp>(ctx, binary<dsg::AddOp>(ctx, x, c(0.5)), s);
    } else {
      Value one = compare<dsg::EqualOp>(ctx, outW, c(1));
      if (m == "pytorch_half_pixel") {
        xo = dsg::WhereOp::create(b, loc, xType, one, c(-0.5), halfPixel);
      } else { // align_corners
        Value v = binary<dsg::DivOp>(
            ctx, binary<dsg::MulOp>(ctx, x, c(inLen - 1)),
            binary<dsg::SubOp>(ctx, outW, c(1)));
        xo = dsg::WhereOp::create(b, loc, xType, one, c(0), v);
      }
    }
    // The first tap: the ratio r = xo - base lies in (0, 1].
    Value base = binary<dsg::SubOp>(
        ctx, dsg::CeilOp::create(b, loc, xType, xo).getResult(), c(1));
    Value r = binary<dsg::SubOp>(ctx, xo, base);
    auto index = [&](Value pos) {
      pos = binary<dsg::MaxOp>(ctx, pos, c(0));
      pos = binary<dsg::MinOp>(ctx, pos, c(inLen - 1));
      return castTo(ctx, pos, i64);
    };
    curShape[d] = outLen;
    auto stepType = RankedTensorType::get(curShape, elem);
    if (a.mode == "nearest") {
      Value pos;
      Value next = binary<dsg::AddOp>(ctx, base, c(1));
      if (a.nearestMode == "round_prefer_floor")
        pos = dsg::WhereOp::create(b, loc, xType,
                                   compare<dsg::GreaterOp>(ctx, r, c(0.5)),
                                   next, base);
      else if (a.nearestMode == "round_prefer_ceil")
        pos = dsg::WhereOp::create(
            b, loc, xType, compare<dsg::GreaterEqualOp>(ctx, r, c(0.5)), next,
            base);
      else if (a.nearestMode == "floor")
        pos = dsg::FloorOp::create(b, loc, xType, xo);
      else
        pos = dsg::CeilOp::create(b, loc, xType, xo);
      cur = dsg::GatherOp::create(b, loc, stepType, cur, index(pos),
                                  b.getI64IntegerAttr(d));
      if (outside && failed(extrapolate(cur, outside, d)))
        return failure();
      continue;
    }
    SmallVector<Value> coeffs;
    int64_t first;
    if (a.mode == "linear") {
      coeffs = {binary<dsg::SubOp>(ctx, c(1), r), r};
      first = 0;
    } else {
      // Cubic convolution weights at distances r + 1, r, 1 - r, 2 - r.
      double A = a.cubicA;
      auto near = [&](Value t) { // ((A + 2) t - (A + 3)) t t + 1
        Value v = binary<dsg::SubOp>(
            ctx, binary<dsg::MulOp>(ctx, t, c(A + 2)), c(A + 3));
        v = binary<dsg::MulOp>(ctx, binary<dsg::MulOp>(ctx, v, t), t);
        return binary<dsg::AddOp>(ctx, v, c(1));
      };
      auto far = [&](Value t) { // ((A t - 5A) t + 8A) t - 4A
        Value v = binary<dsg::SubOp>(ctx, binary<dsg::MulOp>(ctx, t, c(A)),
                                     c(5 * A));
        v = binary<dsg::AddOp>(ctx, binary<dsg::MulOp>(ctx, v, t), c(8 * A));
        return binary<dsg::SubOp>(ctx, binary<dsg::MulOp>(ctx, v, t),
                                  c(4 * A));
      };
      Value s1 = binary<dsg::SubOp>(ctx, c(1), r);
      coeffs = {far(binary<dsg::AddOp>(ctx, r, c(1))), near(r), near(s1),
                far(binary<dsg::AddOp>(ctx, s1, c(1)))};
      first = -1;
    }
    SmallVector<Value> positions;
    for (size_t t = 0; t < coeffs.size(); ++t)
      positions.push_back(binary<dsg::AddOp>(ctx, base, c(first + (int64_t)t)));
    if (a.excludeOutside) {
      Value sum;
      for (auto [k, pos] : llvm::enumerate(positions)) {
        Value inside = dsg::AndOp::create(
            b, loc, xType.clone(b.getI1Type()),
            compare<dsg::GreaterEqualOp>(ctx, pos, c(0)),
            compare<dsg::LessEqualOp>(ctx, pos, c(inLen - 1)));
        coeffs[k] =
            dsg::WhereOp::create(b, loc, xType, inside, coeffs[k], c(0));
        sum = sum ? binary<dsg::AddOp>(ctx, sum, coeffs[k]) : coeffs[k];
      }
      for (Value &v : coeffs)
        v = binary<dsg::DivOp>(ctx, v, sum);
    }
    SmallVector<int64_t> wShape(rank, 1);
    wShape[d] = outLen;
    Value sum;
    for (auto [k, pos] : llvm::enumerate(positions)) {
      Value g = dsg::GatherOp::create(b, loc, stepType, cur, index(pos),
                                      b.getI64IntegerAttr(d));
      FailureOr<Value> w = ctx.reshapeTo(castTo(ctx, coeffs[k], elem), wShape);
      if (failed(w))
        return failure();
      g = binary<dsg::MulOp>(ctx, g, *w);
      sum = sum ? binary<dsg::AddOp>(ctx, sum, g) : g;
    }
    cur = sum;
    if (outside && failed(extrapolate(cur, outside, d)))
      return failure();
  }
  ctx.setOutput(0, cur);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// MatMulInteger, QLinearMatMul
//===----------------------------------------------------------------------===//

/// The saturation range of a quantized type, if supported.
static std::optional<std::pair<double, double>> quantRange(Type elem) {
  auto it = dyn_cast<IntegerType>(elem);
  if (!it || it.getWidth() != 8)
    return std::nullopt;
  if (it.isUnsigned())
    return std::pair{0.0, 255.0};
  return std::pair{-128.0, 127.0};
}

/// round(v) + zp saturated to `q`'s range and converted to `q` (v float).
static Value saturate(NodeContext &ctx, Value v, Value zpFloat, Type q) {
  Type ft = cast<RankedTensorType>(v.getType()).getElementType();
  v = dsg::RoundOp::create(ctx.builder(), ctx.getLoc(), v.getType(), v);
  if (zpFloat)
    v = binary<dsg::AddOp>(ctx, v, zpFloat);
  auto [lo, hi] = *quantRange(q);
  v = binary<dsg::MaxOp>(ctx, v, scalarOf(ctx, ft, lo));
  v = binary<dsg::MinOp>(ctx, v, scalarOf(ctx, ft, hi));
  return castTo(ctx, v, q);
}

/// The `axis` attribute of the per-axis quantization ops (13+).
static LogicalResult quantAxis(NodeContext &ctx, int64_t rank, int64_t &axis) {
  axis = 1;
  if (ctx.sinceVersion() < 13)
    return success();
  if (failed(ctx.intAttr("axis", axis)))
    return failure();
  // The axis only matters for a per-axis (1-D, several values) scale.
  RankedTensorType scale = ctx.inputType(1);
  if (scale.getRank() == 0 ||
      (scale.getRank() == 1 && scale.getDimSize(0) == 1)) {
    axis = 0;
    return success();
  }
  return ctx.normalizeAxis(axis, rank);
}

LogicalResult mlir::ds::onnx_import::importQuantizeLinear(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  Type ft = ctx.inputType(1).getElementType();
  Type q = ctx.hasInput(2) ? ctx.inputType(2).getElementType()
                           : IntegerType::get(ctx.getContext(), 8,
                                              IntegerType::Unsigned);
  if (!isa<FloatType>(ft) || !quantRange(q))
    return ctx.unsupported() << "QuantizeLinear supports float scales and "
                                "8-bit outputs only";
  int64_t rank = ctx.inputType(0).getRank(), axis;
  if (failed(quantAxis(ctx, rank, axis)))
    return failure();
  FailureOr<Value> scale = alongAxis(ctx, ctx.input(1), rank, axis);
  if (failed(scale))
    return ctx.invalid() << "expected a scalar or 1-D scale";
  Value x = castTo(ctx, ctx.input(0), ft), zp;
  if (ctx.hasInput(2)) {
    FailureOr<Value> z = alongAxis(ctx, ctx.input(2), rank, axis);
    if (failed(z))
      return ctx.invalid() << "expected a scalar or 1-D zero point";
    zp = castTo(ctx, *z, ft);
  }
  ctx.setOutput(0, saturate(ctx, binary<dsg::DivOp>(ctx, x, *scale), zp, q));
  return success();
}

LogicalResult mlir::ds::onnx_import::importDequantizeLinear(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  Type ft = ctx.inputType(1).getElementType();
  Type xt = ctx.inputType(0).getElementType();
  if (!isa<FloatType>(ft) || !isa<IntegerType>(xt))
    return ctx.unsupported() << "DequantizeLinear supports integer inputs "
                                "and float scales only";
  int64_t rank = ctx.inputType(0).getRank(), axis;
  if (failed(quantAxis(ctx, rank, axis)))
    return failure();
  FailureOr<Value> scale = alongAxis(ctx, ctx.input(1), rank, axis);
  if (failed(scale))
    return ctx.invalid() << "expected a scalar or 1-D scale";
  // A constant int8 weight with zero point 0: kept int8 as a dsq.weight
  // (foldWeightOnlyProducts then makes its MatMul/Gemm/Conv weight-only).
  if (Value folded = foldDequantizeWeight(ctx, axis)) {
    ctx.setOutput(0, folded);
    return success();
  }
  Type i32 = IntegerType::get(ctx.getContext(), 32);
  Value x = castTo(ctx, ctx.input(0), i32);
  if (ctx.hasInput(2)) {
    FailureOr<Value> z = alongAxis(ctx, ctx.input(2), rank, axis);
    if (failed(z))
      return ctx.invalid() << "expected a scalar or 1-D zero point";
    x = binary<dsg::SubOp>(ctx, x, castTo(ctx, *z, i32));
  }
  ctx.setOutput(0, binary<dsg::MulOp>(ctx, castTo(ctx, x, ft), *scale));
  return success();
}

LogicalResult
mlir::ds::onnx_import::importDynamicQuantizeLinear(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType xt = ctx.inputType(0);
  Type ft = xt.getElementType();
  if (!ft.isF32())
    return ctx.invalid() << "expected a float32 input, found " << xt;
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < xt.getRank(); ++i)
    all.push_back(i);
  auto scalarType = RankedTensorType::get({}, ft);
  Value x = ctx.input(0), zero = scalarOf(ctx, ft, 0.0);
  Value mn = dsg::ReduceMinOp::create(b, loc, scalarType, x,
                                      b.getDenseI64ArrayAttr(all),
                                      b.getBoolAttr(false));
  Value mx = dsg::ReduceMaxOp::create(b, loc, scalarType, x,
                                      b.getDenseI64ArrayAttr(all),
                                      b.getBoolAttr(false));
  mn = binary<dsg::MinOp>(ctx, mn, zero);
  mx = binary<dsg::MaxOp>(ctx, mx, zero);
  Value scale = binary<dsg::DivOp>(ctx, binary<dsg::SubOp>(ctx, mx, mn),
                                   scalarOf(ctx, ft, 255.0));
  Type u8 = IntegerType::get(ctx.getContext(), 8, IntegerType::Unsigned);
  Value zp = saturate(
      ctx, binary<dsg::SubOp>(ctx, zero, binary<dsg::DivOp>(ctx, mn, scale)),
      {}, u8);
  Value zpf = castTo(ctx, zp, ft);
  ctx.setOutput(0, saturate(ctx, binary<dsg::DivOp>(ctx, x, scale), zpf, u8));
  ctx.setOutput(1, scale);
  ctx.setOutput(2, zp);
  return success();
}

/// (a - a_zp) @ (b - b_zp) in i32, for MatMulInteger and QLinearMatMul.
/// a_zp may hold one value per row of `a`, b_zp one per column of `b`.
static FailureOr<Value> integerMatMul(NodeContext &ctx, unsigned a,
                                      unsigned aZp, unsigned b, unsigned bZp) {
  Type i32 = IntegerType::get(ctx.getContext(), 32);
  for (unsigned i : {a, b})
    if (!quantRange(ctx.inputType(i).getElementType()))
      return ctx.unsupported() << "expected 8-bit integer operands";
  RankedTensorType at = ctx.inputType(a), bt = ctx.inputType(b);
  if (at.getRank() < 2 || bt.getRank() < 2)
    return ctx.unsupported() << "expected operands of rank >= 2";
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  // int8 x constant int8 with zero zero points: dsq.qmatmul, exactly.
  if (Value folded = foldIntegerMatMul(ctx, a, aZp, b, bZp, type->clone(i32)))
    return folded;
  Value av = castTo(ctx, ctx.input(a), i32),
        bv = castTo(ctx, ctx.input(b), i32);
  if (ctx.hasInput(aZp)) {
    FailureOr<Value> z = alongAxis(ctx, ctx.input(aZp), at.getRank(),
                                   at.getRank() - 2);
    if (failed(z))
      return ctx.invalid() << "expected a scalar or 1-D zero point for A";
    av = binary<dsg::SubOp>(ctx, av, castTo(ctx, *z, i32));
  }
  if (ctx.hasInput(bZp)) {
    FailureOr<Value> z = alongAxis(ctx, ctx.input(bZp), bt.getRank(),
                                   bt.getRank() - 1);
    if (failed(z))
      return ctx.invalid() << "expected a scalar or 1-D zero point for B";
    bv = binary<dsg::SubOp>(ctx, bv, castTo(ctx, *z, i32));
  }
  return dsg::MatMulOp::create(ctx.builder(), ctx.getLoc(),
                               type->clone(i32), av, bv)
      .getResult();
}

LogicalResult mlir::ds::onnx_import::importMatMulInteger(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 4)))
    return failure();
  FailureOr<Value> y = integerMatMul(ctx, 0, 2, 1, 3);
  if (failed(y))
    return failure();
  ctx.setOutput(0, *y);
  return success();
}

LogicalResult mlir::ds::onnx_import::importQLinearMatMul(NodeContext &ctx) {
  if (failed(ctx.expectInputs(8, 8)))
    return failure();
  Type ft = ctx.inputType(1).getElementType();
  Type q = ctx.inputType(7).getElementType();
  if (!ft.isF32() || !quantRange(q))
    return ctx.unsupported() << "QLinearMatMul supports float32 scales and "
                                "8-bit outputs only";
  for (unsigned i : {1u, 4u, 6u})
    if (ctx.inputType(i).getNumElements() != 1)
      return ctx.unsupported() << "QLinearMatMul supports per-tensor scales "
                                  "only";
  FailureOr<Value> acc = integerMatMul(ctx, 0, 2, 3, 5);
  if (failed(acc))
    return failure();
  Value mult = binary<dsg::DivOp>(
      ctx, binary<dsg::MulOp>(ctx, ctx.input(1), ctx.input(4)), ctx.input(6));
  Value y = binary<dsg::MulOp>(ctx, castTo(ctx, *acc, ft), mult);
  ctx.setOutput(0, saturate(ctx, y, castTo(ctx, ctx.input(7), ft), q));
  return success();
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

/// A constant i64 tensor of `shape` holding `values`.
static Value constantI64Shaped(NodeContext &ctx, ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, ctx.builder().getI64Type());
  return dsg::ConstantOp::create(ctx.builder(), ctx.getLoc(), type,
                                 DenseElementsAttr::get(type, values));
}

/// TopK-10/11 by ranking: the rank of element i along the axis is the
/// number of elements j that come before it (greater, or equal with j < i;
/// the reverse for the smallest). Output position r takes the index whose
/// rank is r, and the values are gathered at those indices. This is exact
/// and stable (ties keep the lower index first) and needs static shapes.
LogicalResult mlir::ds::onnx_import::importTopK(NodeContext &ctx) {
  bool kInput = ctx.sinceVersion() >= 10;
  if (failed(ctx.expectInputs(kInput ? 2 : 1, kInput ? 2 : 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  int64_t rank = in.getRank(), axis = -1, largest = 1, sorted = 1;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.intAttr("largest", largest)) ||
      failed(ctx.intAttr("sorted", sorted)) ||
      failed(ctx.normalizeAxis(axis, rank)))
    return failure();
  if (!in.hasStaticShape())
    return ctx.unsupported() << "TopK needs a static input shape, found "
                             << in;
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(0)
                             << "' needs a static shape, found " << *type;
  int64_t n = in.getDimSize(axis), k = type->getDimSize(axis);
  if (type->getRank() != rank || k > n)
    return ctx.invalid() << "expected values of shape " << in
                         << " with at most " << n << " along axis " << axis
                         << ", found " << *type;
  int64_t kAttr = k;
  if (!kInput && failed(ctx.intAttr("k", kAttr)))
    return failure();
  if (kInput)
    if (std::optional<SmallVector<int64_t>> kv = ctx.constantInts(1))
      kAttr = kv->empty() ? k : (*kv)[0];
  if (kAttr != k)
    return ctx.invalid() << "expected k = " << k << " (the output size)";
  Type elem = in.getElementType();
  if (!isa<FloatType>(elem) && !isa<IntegerType>(elem))
    return ctx.unsupported() << "unsupported element type " << elem;

  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  SmallVector<int64_t> shape(in.getShape());
  // xi: [..., n (i), 1, ...], xj: [..., 1, n (j), ...].
  SmallVector<int64_t> iShape(shape), jShape(shape);
  iShape.insert(iShape.begin() + axis + 1, 1);
  jShape.insert(jShape.begin() + axis, 1);
  FailureOr<Value> xi = ctx.reshapeTo(ctx.input(0), iShape);
  FailureOr<Value> xj = ctx.reshapeTo(ctx.input(0), jShape);
  if (failed(xi) || failed(xj))
    return failure();
  Value before = largest ? compare<dsg::GreaterOp>(ctx, *xj, *xi)
                         : compare<dsg::LessOp>(ctx, *xj, *xi);
  SmallVector<int64_t> pairShape(rank + 1, 1), lower;
  pairShape[axis] = n;
  pairShape[axis + 1] = n;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      lower.push_back(j < i);
  auto lowerType = RankedTensorType::get(pairShape, i1);
  SmallVector<bool> lowerBits(lower.begin(), lower.end());
  Value lowerMask = dsg::ConstantOp::create(
      b, loc, lowerType, DenseElementsAttr::get(lowerType, lowerBits));
  Value tie = compare<dsg::EqualOp>(ctx, *xj, *xi);
  tie = dsg::AndOp::create(b, loc, cast<RankedTensorType>(tie.getType()), tie,
                           lowerMask);
  before = dsg::OrOp::create(b, loc, cast<RankedTensorType>(tie.getType()),
                             before, tie);
  Value ranks = dsg::ReduceSumOp::create(
      b, loc, in.clone(i64), castTo(ctx, before, i64),
      b.getDenseI64ArrayAttr({axis + 1}), b.getBoolAttr(false));
  // match[..., i, r, ...] = rank_i == r; index_r = sum_i i * match.
  FailureOr<Value> ranksI = ctx.reshapeTo(ranks, iShape);
  if (failed(ranksI))
    return failure();
  SmallVector<int64_t> rShape(rank + 1, 1), iColShape(rank + 1, 1);
  SmallVector<int64_t> rVals, iVals;
  rShape[axis + 1] = k;
  iColShape[axis] = n;
  for (int64_t r = 0; r < k; ++r)
    rVals.push_back(r);
  for (int64_t i = 0; i < n; ++i)
    iVals.push_back(i);
  Value match = castTo(
      ctx,
      compare<dsg::EqualOp>(ctx, *ranksI,
                            constantI64Shaped(ctx, rShape, rVals)),
      i64);
  Value weighted =
      binary<dsg::MulOp>(ctx, match, constantI64Shaped(ctx, iColShape, iVals));
  SmallVector<int64_t> outShape(shape);
  outShape[axis] = k;
  Value indices = dsg::ReduceSumOp::create(
      b, loc, RankedTensorType::get(outShape, i64), weighted,
      b.getDenseI64ArrayAttr({axis}), b.getBoolAttr(false));
  Value values = dsg::GatherElementsOp::create(
      b, loc, RankedTensorType::get(outShape, elem), ctx.input(0), indices,
      b.getI64IntegerAttr(axis));
  ctx.setOutput(0, values);
  if (ctx.hasOutput(1))
    ctx.setOutput(1, indices);
  return success();
}

//===----------------------------------------------------------------------===//
// Shrink, EyeLike, HannWindow, HammingWindow, BlackmanWindow
//===----------------------------------------------------------------------===//

/// Shrink-9: x < -lambd ? x + bias : (x > lambd ? x - bias : 0).
LogicalResult mlir::ds::onnx_import::importShrink(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  float lambd = 0.5f, bias = 0.0f;
  if (failed(ctx.floatAttr("lambd", lambd)) ||
      failed(ctx.floatAttr("bias", bias)))
    return failure();
  RankedTensorType t = ctx.inputType(0);
  Type elem = t.getElementType();
  if (!isa<FloatType>(elem))
    return ctx.unsupported() << "Shrink supports floating-point inputs only";
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Value x = ctx.input(0);
  Value low = compare<dsg::LessOp>(ctx, x, scalarOf(ctx, elem, -lambd));
  Value high = compare<dsg::GreaterOp>(ctx, x, scalarOf(ctx, elem, lambd));
  Value inner = dsg::WhereOp::create(
      b, loc, t, high, binary<dsg::SubOp>(ctx, x, scalarOf(ctx, elem, bias)),
      scalarOf(ctx, elem, 0.0));
  ctx.setOutput(0, dsg::WhereOp::create(
                       b, loc, t, low,
                       binary<dsg::AddOp>(ctx, x, scalarOf(ctx, elem, bias)),
                       inner));
  return success();
}

/// A constant of `type` from per-element doubles (float, integer or bool).
static Value constantOf(NodeContext &ctx, RankedTensorType type,
                        ArrayRef<double> values) {
  Type elem = type.getElementType();
  SmallVector<Attribute> attrs;
  for (double v : values) {
    if (isa<FloatType>(elem))
      attrs.push_back(FloatAttr::get(elem, v));
    else
      attrs.push_back(IntegerAttr::get(elem, static_cast<int64_t>(v)));
  }
  return dsg::ConstantOp::create(ctx.builder(), ctx.getLoc(), type,
                                 DenseElementsAttr::get(type, attrs));
}

/// EyeLike-9: a constant (the input's shape must be static).
LogicalResult mlir::ds::onnx_import::importEyeLike(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  int64_t k = 0;
  if (failed(ctx.intAttr("k", k)))
    return failure();
  if (in.getRank() != 2)
    return ctx.invalid() << "expected a 2-D input, found " << in;
  if (!in.hasStaticShape())
    return ctx.unsupported() << "EyeLike needs a static input shape, found "
                             << in;
  Type elem = in.getElementType();
  if (ctx.hasAttr("dtype")) {
    int64_t dtype = 0;
    if (failed(ctx.intAttr("dtype", dtype)))
      return failure();
    elem = convertElementType(ctx.getContext(), dtype);
    if (!elem)
      return ctx.unsupported() << "unsupported dtype "
                               << dataTypeName(dtype);
  }
  if (!isa<FloatType>(elem) && !isa<IntegerType>(elem))
    return ctx.unsupported() << "unsupported element type " << elem;
  RankedTensorType out = in.clone(elem);
  SmallVector<double> values;
  for (int64_t i = 0; i < in.getDimSize(0); ++i)
    for (int64_t j = 0; j < in.getDimSize(1); ++j)
      values.push_back(j - i == k ? 1.0 : 0.0);
  ctx.setOutput(0, constantOf(ctx, out, values));
  return success();
}

/// HannWindow, HammingWindow, BlackmanWindow (17): a constant of the
/// declared output size, sum_m a_m cos(2 pi m n / N) with N the size
/// (periodic) or the size - 1 (symmetric).
static LogicalResult importWindow(NodeContext &ctx, ArrayRef<double> a) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  int64_t periodic = 1;
  if (failed(ctx.intAttr("periodic", periodic)))
    return failure();
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (type->getRank() != 1 || !type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(0)
                             << "' needs a static 1-D shape, found " << *type;
  int64_t size = type->getDimSize(0);
  if (std::optional<SmallVector<int64_t>> s = ctx.constantInts(0))
    if (s->size() == 1 && (*s)[0] != size)
      return ctx.invalid() << "expected size " << size
                           << " (the output size), found " << (*s)[0];
  Type elem = type->getElementType();
  if (!isa<FloatType>(elem) && !isa<IntegerType>(elem))
    return ctx.unsupported() << "unsupported element type " << elem;
  double n = periodic ? size : size - 1;
  SmallVector<double> values;
  for (int64_t i = 0; i < size; ++i) {
    double v = 0;
    for (auto [m, am] : llvm::enumerate(a))
      v += am * std::cos(2.0 * M_PI * m * i / n);
    values.push_back(v);
  }
  ctx.setOutput(0, constantOf(ctx, *type, values));
  return success();
}

LogicalResult mlir::ds::onnx_import::importHannWindow(NodeContext &ctx) {
  return importWindow(ctx, {0.5, -0.5});
}
LogicalResult mlir::ds::onnx_import::importHammingWindow(NodeContext &ctx) {
  return importWindow(ctx, {25.0 / 46.0, -(1.0 - 25.0 / 46.0)});
}
LogicalResult mlir::ds::onnx_import::importBlackmanWindow(NodeContext &ctx) {
  return importWindow(ctx, {0.42, -0.5, 0.08});
}

//===----------------------------------------------------------------------===//
// Compress, ReverseSequence
//===----------------------------------------------------------------------===//

/// Compress-9/11: the output position of a selected element is the number
/// of selected elements before it; the index of position r is summed out of
/// a one-hot match and the data gathered there. The output size (the number
/// of true conditions) must be declared or inferred statically.
LogicalResult mlir::ds::onnx_import::importCompress(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0), ct = ctx.inputType(1);
  if (!in.hasStaticShape() || !ct.hasStaticShape() || ct.getRank() != 1 ||
      !ct.getElementType().isInteger(1))
    return ctx.unsupported() << "Compress needs a static input and a static "
                                "1-D bool condition";
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(0)
                             << "' needs a static shape, found " << *type;
  Value data = ctx.input(0);
  int64_t axis = 0;
  if (ctx.hasAttr("axis")) {
    if (failed(ctx.intAttr("axis", axis)) ||
        failed(ctx.normalizeAxis(axis, in.getRank())))
      return failure();
  } else {
    FailureOr<Value> flat = ctx.reshapeTo(data, {in.getNumElements()});
    if (failed(flat))
      return failure();
    data = *flat;
  }
  auto dt = cast<RankedTensorType>(data.getType());
  int64_t n = ct.getDimSize(0), m = type->getDimSize(axis);
  if (n > dt.getDimSize(axis) || m > n ||
      type->getRank() != dt.getRank())
    return ctx.invalid() << "expected a condition of at most "
                         << dt.getDimSize(axis) << " entries and an output "
                         << "of at most " << n << " along the axis";
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type();
  // pos_i = sum_{j < i} cond_j (a constant strictly-lower mask times cond).
  Value cond = castTo(ctx, ctx.input(1), i64);
  FailureOr<Value> condJ = ctx.reshapeTo(cond, {1, n});
  if (failed(condJ))
    return failure();
  SmallVector<double> lower;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      lower.push_back(j < i);
  Value lowerC =
      constantOf(ctx, RankedTensorType::get({n, n}, i64), lower);
  Value pos = dsg::ReduceSumOp::create(
      b, loc, RankedTensorType::get({n}, i64),
      binary<dsg::MulOp>(ctx, *condJ, lowerC), b.getDenseI64ArrayAttr({1}),
      b.getBoolAttr(false));
  // match[i, r] = cond_i && pos_i == r; index_r = sum_i i * match[i, r].
  FailureOr<Value> posI = ctx.reshapeTo(pos, {n, 1});
  FailureOr<Value> condI = ctx.reshapeTo(cond, {n, 1});
  if (failed(posI) || failed(condI))
    return failure();
  SmallVector<int64_t> rVals, iVals;
  for (int64_t r = 0; r < m; ++r)
    rVals.push_back(r);
  for (int64_t i = 0; i < n; ++i)
    iVals.push_back(i);
  Value match = castTo(
      ctx,
      compare<dsg::EqualOp>(ctx, *posI, constantI64Shaped(ctx, {1, m}, rVals)),
      i64);
  match = binary<dsg::MulOp>(ctx, match, *condI);
  Value weighted =
      binary<dsg::MulOp>(ctx, match, constantI64Shaped(ctx, {n, 1}, iVals));
  Value indices = dsg::ReduceSumOp::create(
      b, loc, RankedTensorType::get({m}, i64), weighted,
      b.getDenseI64ArrayAttr({0}), b.getBoolAttr(false));
  ctx.setOutput(0, dsg::GatherOp::create(b, loc, *type, data, indices,
                                         b.getI64IntegerAttr(axis)));
  return success();
}

/// ReverseSequence-10: the source index along the time axis is
/// len[b] - 1 - t for t < len[b], t otherwise; a gather_elements reads it.
LogicalResult mlir::ds::onnx_import::importReverseSequence(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0), lt = ctx.inputType(1);
  int64_t batchAxis = 1, timeAxis = 0;
  if (failed(ctx.intAttr("batch_axis", batchAxis)) ||
      failed(ctx.intAttr("time_axis", timeAxis)))
    return failure();
  int64_t rank = in.getRank();
  if (rank < 2 || (batchAxis != 0 && batchAxis != 1) ||
      (timeAxis != 0 && timeAxis != 1) || batchAxis == timeAxis)
    return ctx.invalid() << "expected batch_axis and time_axis to be 0 and 1";
  if (!in.hasStaticShape() || lt.getRank() != 1)
    return ctx.unsupported() << "ReverseSequence needs a static input shape";
  int64_t batch = in.getDimSize(batchAxis), time = in.getDimSize(timeAxis);
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  Type i64 = b.getI64Type();
  SmallVector<int64_t> lShape(rank, 1), tShape(rank, 1), tVals;
  lShape[batchAxis] = batch;
  tShape[timeAxis] = time;
  for (int64_t t = 0; t < time; ++t)
    tVals.push_back(t);
  FailureOr<Value> lens = ctx.reshapeTo(castTo(ctx, ctx.input(1), i64), lShape);
  if (failed(lens))
    return failure();
  Value t = constantI64Shaped(ctx, tShape, tVals);
  Value rev = binary<dsg::SubOp>(
      ctx, binary<dsg::SubOp>(ctx, *lens, scalarOf(ctx, i64, 1)), t);
  Value inside = compare<dsg::LessOp>(ctx, t, *lens);
  RankedTensorType idxType = in.clone(i64);
  Value zeros = constantOf(ctx, idxType,
                           SmallVector<double>(in.getNumElements(), 0.0));
  Value idx = dsg::WhereOp::create(
      b, loc, idxType, inside, binary<dsg::AddOp>(ctx, rev, zeros),
      binary<dsg::AddOp>(ctx, t, zeros));
  ctx.setOutput(0, dsg::GatherElementsOp::create(
                       b, loc, in, ctx.input(0), idx,
                       b.getI64IntegerAttr(timeAxis)));
  return success();
}

//===----------------------------------------------------------------------===//
// ConvInteger, QLinearConv
//===----------------------------------------------------------------------===//

/// (x - x_zp) conv (w - w_zp) in i32. Zero points are scalars (per-tensor);
/// a 1-D w_zp may hold one value per output channel. Padding is zero after
/// the shift, i.e. the zero point of x. auto_pad must be NOTSET or VALID.
static FailureOr<Value> integerConv(NodeContext &ctx, unsigned x, unsigned xZp,
                                    unsigned w, unsigned wZp) {
  Type i32 = IntegerType::get(ctx.getContext(), 32);
  for (unsigned i : {x, w})
    if (!quantRange(ctx.inputType(i).getElementType()))
      return ctx.unsupported() << "expected 8-bit integer operands";
  RankedTensorType xt = ctx.inputType(x), wt = ctx.inputType(w);
  int64_t rank = xt.getRank();
  if (rank < 3 || wt.getRank() != rank || !wt.hasStaticShape())
    return ctx.unsupported() << "expected [N, C, spatial...] operands and a "
                                "static weight";
  int64_t spatial = rank - 2, group = 1;
  SmallVector<int64_t> strides(spatial, 1), dilations(spatial, 1),
      pads(2 * spatial, 0), kernel;
  std::string autoPad = "NOTSET";
  if (failed(ctx.intsAttr("strides", strides)) ||
      failed(ctx.intsAttr("dilations", dilations)) ||
      failed(ctx.intsAttr("pads", pads)) ||
      failed(ctx.intsAttr("kernel_shape", kernel)) ||
      failed(ctx.intAttr("group", group)) ||
      failed(ctx.stringAttr("auto_pad", autoPad)))
    return failure();
  if (autoPad == "VALID")
    pads.assign(2 * spatial, 0);
  else if (autoPad != "NOTSET")
    return ctx.unsupported() << "auto_pad " << autoPad << " is not supported";
  if ((int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial || group < 1 ||
      (!kernel.empty() &&
       ArrayRef<int64_t>(kernel) != wt.getShape().drop_front(2)))
    return ctx.invalid() << "expected consistent strides, dilations, pads, "
                            "kernel_shape and group";
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  // int8 x constant int8 with zero zero points: dsq.qconv, exactly.
  if (Value folded =
          foldIntegerConv(ctx, x, xZp, w, wZp,
                          IntegerConvAttrs{strides, pads, dilations, group},
                          type->clone(i32)))
    return folded;
  Value xv = castTo(ctx, ctx.input(x), i32),
        wv = castTo(ctx, ctx.input(w), i32);
  if (ctx.hasInput(xZp)) {
    if (ctx.inputType(xZp).getNumElements() != 1)
      return ctx.unsupported() << "expected a per-tensor zero point for x";
    xv = binary<dsg::SubOp>(ctx, xv, castTo(ctx, ctx.input(xZp), i32));
  }
  if (ctx.hasInput(wZp)) {
    FailureOr<Value> z = alongAxis(ctx, ctx.input(wZp), rank, 0);
    if (failed(z))
      return ctx.invalid() << "expected a scalar or 1-D zero point for w";
    wv = binary<dsg::SubOp>(ctx, wv, castTo(ctx, *z, i32));
  }
  OpBuilder &b = ctx.builder();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
      b.getNamedAttr("group", b.getI64IntegerAttr(group))};
  return dsg::ConvOp::create(b, ctx.getLoc(), TypeRange{type->clone(i32)},
                             ValueRange{xv, wv}, attrs)
      .getResult();
}

LogicalResult mlir::ds::onnx_import::importConvInteger(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 4)))
    return failure();
  FailureOr<Value> y = integerConv(ctx, 0, 2, 1, 3);
  if (failed(y))
    return failure();
  ctx.setOutput(0, *y);
  return success();
}

/// QLinearConv-10: the i32 convolution (plus the i32 bias) rescaled by
/// x_scale * w_scale / y_scale (w_scale may be per output channel).
LogicalResult mlir::ds::onnx_import::importQLinearConv(NodeContext &ctx) {
  if (failed(ctx.expectInputs(8, 9)))
    return failure();
  Type ft = ctx.inputType(1).getElementType();
  Type q = ctx.inputType(7).getElementType();
  if (!ft.isF32() || !quantRange(q))
    return ctx.unsupported() << "QLinearConv supports float32 scales and "
                                "8-bit outputs only";
  if (ctx.inputType(1).getNumElements() != 1 ||
      ctx.inputType(6).getNumElements() != 1)
    return ctx.unsupported() << "expected per-tensor x and y scales";
  FailureOr<Value> acc = integerConv(ctx, 0, 2, 3, 5);
  if (failed(acc))
    return failure();
  int64_t rank = ctx.inputType(0).getRank();
  Value y = *acc;
  if (ctx.hasInput(8)) {
    FailureOr<Value> bias = alongAxis(
        ctx, castTo(ctx, ctx.input(8), IntegerType::get(ctx.getContext(), 32)),
        rank, 1);
    if (failed(bias))
      return ctx.invalid() << "expected a 1-D bias";
    y = binary<dsg::AddOp>(ctx, y, *bias);
  }
  FailureOr<Value> wScale = alongAxis(ctx, ctx.input(4), rank, 1);
  if (failed(wScale))
    return ctx.invalid() << "expected a scalar or 1-D w_scale";
  Value mult = binary<dsg::DivOp>(
      ctx, binary<dsg::MulOp>(ctx, *wScale, ctx.input(1)), ctx.input(6));
  y = binary<dsg::MulOp>(ctx, castTo(ctx, y, ft), mult);
  ctx.setOutput(0, saturate(ctx, y, castTo(ctx, ctx.input(7), ft), q));
  return success();
}

//===----------------------------------------------------------------------===//
// MaxUnpool
//===----------------------------------------------------------------------===//

/// MaxUnpool-9/11: the values scattered into a flat zero tensor at their
/// (flat, MaxPool-style) indices, reshaped to the output shape that the
/// attributes give (a larger output_shape is reported unsupported).
LogicalResult mlir::ds::onnx_import::importMaxUnpool(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 3)))
    return failure();
  RankedTensorType xt = ctx.inputType(0), it = ctx.inputType(1);
  if (!xt.hasStaticShape() || it.getShape() != xt.getShape() ||
      xt.getRank() < 3)
    return ctx.unsupported() << "MaxUnpool needs static [N, C, spatial...] "
                                "values and indices of the same shape";
  int64_t spatial = xt.getRank() - 2;
  SmallVector<int64_t> kernel, strides(spatial, 1), pads(2 * spatial, 0);
  if (failed(ctx.intsAttr("kernel_shape", kernel)) ||
      failed(ctx.intsAttr("strides", strides)) ||
      failed(ctx.intsAttr("pads", pads)))
    return failure();
  if ((int64_t)kernel.size() != spatial ||
      (int64_t)strides.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return ctx.invalid() << "expected " << spatial << " kernel sizes and "
                         << "strides and " << 2 * spatial << " pads";
  SmallVector<int64_t> shape(xt.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back((xt.getDimSize(i + 2) - 1) * strides[i] - pads[i] -
                    pads[i + spatial] + kernel[i]);
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, xt.getElementType()));
  if (failed(type))
    return failure();
  if (!type->hasStaticShape())
    return ctx.unsupported() << "output '" << ctx.proto().output(0)
                             << "' needs a static shape, found " << *type;
  if (std::optional<SmallVector<int64_t>> s = ctx.constantInts(2))
    if (ArrayRef<int64_t>(*s) != type->getShape())
      return ctx.invalid() << "expected output_shape to match " << *type;
  // An output_shape larger than the default pads the unpooled tensor with
  // zeros at the end of each spatial dimension (the indices still address
  // the default shape), as the ONNX reference does.
  auto unpooledType = RankedTensorType::get(shape, xt.getElementType());
  SmallVector<int64_t> endPads;
  for (auto [i, d] : llvm::enumerate(type->getShape())) {
    if (d < shape[i] || (i < 2 && d != shape[i]))
      return ctx.unsupported() << "an output shape smaller than the "
                                  "default "
                               << unpooledType
                               << " (or with other batch or channel sizes) "
                                  "is not supported, found "
                               << *type;
    endPads.push_back(d - shape[i]);
  }
  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  int64_t total = unpooledType.getNumElements(), count = xt.getNumElements();
  auto flatType = RankedTensorType::get({total}, xt.getElementType());
  Value zeros = dsg::ConstantOp::create(
      b, loc, flatType,
      DenseElementsAttr::get(flatType, b.getZeroAttr(xt.getElementType())));
  FailureOr<Value> values = ctx.reshapeTo(ctx.input(0), {count});
  FailureOr<Value> indices = ctx.reshapeTo(ctx.input(1), {count});
  if (failed(values) || failed(indices))
    return failure();
  Value flat = dsg::ScatterElementsOp::create(
      b, loc, flatType, zeros, *indices, *values, b.getI64IntegerAttr(0),
      b.getStringAttr("none"));
  FailureOr<Value> out = ctx.reshapeTo(flat, shape);
  if (failed(out))
    return failure();
  Value result = *out;
  if (*type != unpooledType) {
    SmallVector<int64_t> pads(shape.size(), 0);
    pads.append(endPads);
    result = dsg::PadOp::create(b, loc, *type, result, ctx.constantI64(pads),
                                Value(), b.getStringAttr("constant"));
  }
  ctx.setOutput(0, result);
  return success();
}
