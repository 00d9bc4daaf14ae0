//===- GridSample.cpp - ONNX GridSample (2-D) to dsg ----------------------===//
//
// GridSample-16 reads X [N, C, H, W] at the normalized positions of
// grid [N, Ho, Wo, 2] (x, then y, in [-1, 1]). The decomposition follows the
// ONNX specification, whose reference outputs come from PyTorch's
// grid_sample:
//
//  * a position is unnormalized to pixel coordinates: with align_corners,
//    -1 and 1 are the centres of the corner pixels, (g + 1) / 2 * (size - 1);
//    otherwise their outer edges, ((g + 1) * size - 1) / 2;
//  * padding_mode border clamps coordinates to [0, size - 1]; reflection
//    reflects them at the borders (the corner centres with align_corners,
//    the edges otherwise), then clamps; zeros keeps them;
//  * nearest reads the pixel at the coordinate rounded half to even;
//    bilinear weighs the four surrounding pixels; bicubic the sixteen, with
//    the cubic convolution kernel of a = -0.75, the padding applied to each
//    tap's coordinate;
//  * a tap outside the image reads 0.
//
// Every tap is one GatherElements from X flattened to [N, C, H * W], at
// indices y * W + x clamped into the image, masked where the tap is outside.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

namespace {
/// Coordinates are [N, 1, P] tensors (P = Ho * Wo) of X's element type.
struct GridSampler {
  Emitter &e;
  Type element;
  Value image; ///< X as [N, C, H * W].
  int64_t n, c, h, w, p;
  bool alignCorners;
  std::string padding;

  Value k(double v) { return e.scalar(element, v); }
  Value add(Value a, Value b) { return e.binary<dsg::AddOp>(a, b); }
  Value sub(Value a, Value b) { return e.binary<dsg::SubOp>(a, b); }
  Value mul(Value a, Value b) { return e.binary<dsg::MulOp>(a, b); }
  Value div(Value a, Value b) { return e.binary<dsg::DivOp>(a, b); }
  Value floor(Value a) { return e.unary<dsg::FloorOp>(a); }
  Value clamp(Value a, double lo, double hi) {
    return e.binary<dsg::MinOp>(e.binary<dsg::MaxOp>(a, k(lo)), k(hi));
  }

  /// Pixel coordinates of normalized positions along a dimension of `size`.
  Value unnormalize(Value g, int64_t size) {
    if (alignCorners)
      return mul(add(g, k(1.0)), k((size - 1) / 2.0));
    return div(sub(mul(add(g, k(1.0)), k(size)), k(1.0)), k(2.0));
  }

  /// Reflects `x` into [low, high] where twiceLow = 2 * low and so on.
  Value reflect(Value x, int64_t twiceLow, int64_t twiceHigh) {
    if (twiceLow == twiceHigh) { // A single pixel: every coordinate is 0.
      auto type = cast<RankedTensorType>(x.getType());
      return dsg::ConstantOp::create(
          e.b, e.loc, type,
          DenseElementsAttr::get(type, FloatAttr::get(element, 0.0)));
    }
    double min = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
    Value in = e.unary<dsg::AbsOp>(sub(x, k(min)));
    Value flips = floor(div(in, k(span)));
    Value extra = sub(in, mul(flips, k(span)));
    Value odd = sub(flips, mul(floor(div(flips, k(2.0))), k(2.0)));
    Value even = e.compare<dsg::EqualOp>(odd, k(0.0));
    return e.where(even, add(extra, k(min)), sub(k(span + min), extra));
  }

  /// The padding mode's coordinate transformation.
  Value applyPadding(Value x, int64_t size) {
    if (padding == "border")
      return clamp(x, 0.0, size - 1);
    if (padding == "reflection") {
      Value r = alignCorners ? reflect(x, 0, 2 * (size - 1))
                             : reflect(x, -1, 2 * size - 1);
      return clamp(r, 0.0, size - 1);
    }
    return x;
  }

  /// X at the integral pixel coordinates (x, y), 0 outside the image:
  /// [N, C, P].
  Value tap(Value x, Value y) {
    Value inside = e.binary<dsg::AndOp>(
        e.binary<dsg::AndOp>(e.compare<dsg::GreaterEqualOp>(x, k(0.0)),
                             e.compare<dsg::LessEqualOp>(x, k(w - 1))),
        e.binary<dsg::AndOp>(e.compare<dsg::GreaterEqualOp>(y, k(0.0)),
                             e.compare<dsg::LessEqualOp>(y, k(h - 1))));
    Type i64 = e.b.getI64Type();
    Value xi = e.cast(clamp(x, 0.0, w - 1), i64);
    Value yi = e.cast(clamp(y, 0.0, h - 1), i64);
    Value flat = e.binary<dsg::AddOp>(
        e.binary<dsg::MulOp>(yi, e.scalar(i64, w)), xi);
    Value idx = dsg::ExpandOp::create(
        e.b, e.loc, RankedTensorType::get({n, c, p}, i64), flat);
    Value v = dsg::GatherElementsOp::create(
        e.b, e.loc, RankedTensorType::get({n, c, p}, element), image, idx,
        e.b.getI64IntegerAttr(2));
    return e.where(inside, v, k(0.0));
  }

  Value nearest(Value gx, Value gy) {
    Value x = applyPadding(unnormalize(gx, w), w);
    Value y = applyPadding(unnormalize(gy, h), h);
    return tap(e.unary<dsg::RoundOp>(x), e.unary<dsg::RoundOp>(y));
  }

  Value bilinear(Value gx, Value gy) {
    Value x = applyPadding(unnormalize(gx, w), w);
    Value y = applyPadding(unnormalize(gy, h), h);
    Value x0 = floor(x), y0 = floor(y);
    Value x1 = add(x0, k(1.0)), y1 = add(y0, k(1.0));
    Value wx1 = sub(x, x0), wy1 = sub(y, y0);
    Value wx0 = sub(k(1.0), wx1), wy0 = sub(k(1.0), wy1);
    Value sum = mul(tap(x0, y0), mul(wx0, wy0));
    sum = add(sum, mul(tap(x1, y0), mul(wx1, wy0)));
    sum = add(sum, mul(tap(x0, y1), mul(wx0, wy1)));
    return add(sum, mul(tap(x1, y1), mul(wx1, wy1)));
  }

  /// The four cubic convolution weights of the taps at offsets -1..2 from
  /// floor(x), for the fraction t = x - floor(x).
  SmallVector<Value> cubicWeights(Value t) {
    constexpr double a = -0.75;
    auto near = [&](Value d) { // |d| <= 1: ((a + 2) d - (a + 3)) d^2 + 1
      return add(mul(sub(mul(k(a + 2), d), k(a + 3)), mul(d, d)), k(1.0));
    };
    auto far = [&](Value d) { // 1 < |d| < 2: ((a d - 5a) d + 8a) d - 4a
      return sub(mul(add(mul(sub(mul(k(a), d), k(5 * a)), d), k(8 * a)), d),
                 k(4 * a));
    };
    Value u = sub(k(1.0), t);
    return {far(add(t, k(1.0))), near(t), near(u), far(add(u, k(1.0)))};
  }

  Value bicubic(Value gx, Value gy) {
    Value x = unnormalize(gx, w), y = unnormalize(gy, h);
    Value x0 = floor(x), y0 = floor(y);
    SmallVector<Value> wx = cubicWeights(sub(x, x0));
    SmallVector<Value> wy = cubicWeights(sub(y, y0));
    SmallVector<Value> xs, ys;
    for (int i = 0; i < 4; ++i) {
      xs.push_back(applyPadding(add(x0, k(i - 1)), w));
      ys.push_back(applyPadding(add(y0, k(i - 1)), h));
    }
    Value sum;
    for (int i = 0; i < 4; ++i) {
      Value row;
      for (int j = 0; j < 4; ++j) {
        Value term = mul(tap(xs[j], ys[i]), wx[j]);
        row = row ? add(row, term) : term;
      }
      Value term = mul(row, wy[i]);
      sum = sum ? add(sum, term) : term;
    }
    return sum;
  }
};
} // namespace

LogicalResult mlir::ds::onnx_import::importGridSample(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  std::string mode = "bilinear", padding = "zeros";
  int64_t align = 0;
  if (failed(ctx.stringAttr("mode", mode)) ||
      failed(ctx.stringAttr("padding_mode", padding)) ||
      failed(ctx.intAttr("align_corners", align)))
    return failure();
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return ctx.invalid() << "expected mode bilinear, nearest or bicubic, "
                            "found '"
                         << mode << "'";
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return ctx.invalid() << "expected padding_mode zeros, border or "
                            "reflection, found '"
                         << padding << "'";
  RankedTensorType xType = ctx.inputType(0), gridType = ctx.inputType(1);
  if (!isa<FloatType>(xType.getElementType()))
    return ctx.unsupported() << "ds imports it for floating-point X only, "
                                "found "
                             << xType;
  if (!isa<FloatType>(gridType.getElementType()))
    return ctx.invalid() << "expected a floating-point grid, found "
                         << gridType;
  if (xType.getRank() != 4)
    return ctx.unsupported() << "ds imports the 2-D form (X of rank 4) only, "
                                "found "
                             << xType;
  if (!xType.hasStaticShape() || !gridType.hasStaticShape())
    return ctx.unsupported() << "ds imports it for static shapes only, found "
                             << xType << " and " << gridType;
  if (gridType.getRank() != 4 || gridType.getDimSize(3) != 2 ||
      gridType.getDimSize(0) != xType.getDimSize(0))
    return ctx.invalid() << "expected a grid of shape [" << xType.getDimSize(0)
                         << ", Ho, Wo, 2], found " << gridType;

  Emitter e(ctx);
  GridSampler s{e,
                xType.getElementType(),
                Value(),
                xType.getDimSize(0),
                xType.getDimSize(1),
                xType.getDimSize(2),
                xType.getDimSize(3),
                gridType.getDimSize(1) * gridType.getDimSize(2),
                align != 0,
                padding};
  int64_t ho = gridType.getDimSize(1), wo = gridType.getDimSize(2);
  auto outType =
      RankedTensorType::get({s.n, s.c, ho, wo}, xType.getElementType());
  FailureOr<RankedTensorType> declared = ctx.outputType(0, outType);
  if (failed(declared))
    return failure();
  if (*declared != outType)
    return ctx.invalid() << "expected output type " << outType << ", found "
                         << *declared;
  if (s.n * s.c * s.h * s.w == 0 || s.p == 0) {
    ctx.setOutput(0, dsg::ConstantOp::create(
                         e.b, e.loc, outType,
                         DenseElementsAttr::get(
                             outType, FloatAttr::get(s.element, 0.0))));
    return success();
  }

  FailureOr<Value> image =
      ctx.reshapeTo(ctx.input(0), {s.n, s.c, s.h * s.w});
  FailureOr<Value> grid = ctx.reshapeTo(ctx.input(1), {s.n, s.p, 2});
  if (failed(image) || failed(grid))
    return failure();
  s.image = *image;
  Value g = *grid;
  if (gridType.getElementType() != s.element)
    g = e.cast(g, s.element);
  FailureOr<Value> gx = ctx.reshapeTo(e.gather(g, 2, {0}), {s.n, 1, s.p});
  FailureOr<Value> gy = ctx.reshapeTo(e.gather(g, 2, {1}), {s.n, 1, s.p});
  if (failed(gx) || failed(gy))
    return failure();
  Value out = mode == "nearest"    ? s.nearest(*gx, *gy)
              : mode == "bilinear" ? s.bilinear(*gx, *gy)
                                   : s.bicubic(*gx, *gy);
  FailureOr<Value> result = ctx.reshapeTo(out, outType.getShape());
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}
