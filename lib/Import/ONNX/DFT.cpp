//===- DFT.cpp - ONNX DFT as products with constant twiddle matrices ------===//
//
// DFT-17 transforms X [..., N, ..., 1 or 2] (real, or real and imaginary
// parts in the last dimension) along `axis`. With the axis moved last, the
// transform of length L (dft_length, default N; the signal is truncated or
// zero-padded to it) is two matrix products per part with the constant
// [L, K] matrices C = cos(2 pi n k / L) and S = sin(2 pi n k / L), where K is
// L, or L / 2 + 1 with onesided:
//
//   forward: Yr = Xr C + Xi S,        Yi = Xi C - Xr S
//   inverse: Yr = (Xr C - Xi S) / L,  Yi = (Xi C + Xr S) / L
//
// The twiddles are computed in double precision and rounded once.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The largest transform length whose two [L, K] matrices ds builds.
static constexpr int64_t kMaxDFTLength = 4096;

LogicalResult mlir::ds::onnx_import::importDFT(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  int64_t axis = 1, inverse = 0, onesided = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.intAttr("inverse", inverse)) ||
      failed(ctx.intAttr("onesided", onesided)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  Type element = in.getElementType();
  if (!isa<FloatType>(element))
    return ctx.invalid() << "expected a floating-point input, found " << in;
  int64_t rank = in.getRank();
  if (rank < 2)
    return ctx.invalid() << "expected an input of rank 2 or more, found "
                         << in;
  if (!in.hasStaticShape())
    return ctx.unsupported() << "ds imports it for static shapes only, found "
                             << in;
  int64_t parts = in.getDimSize(rank - 1);
  if (parts != 1 && parts != 2)
    return ctx.invalid() << "expected a last dimension of 1 (real) or 2 "
                            "(complex), found "
                         << in;
  // Negative axes count from the back of the input: [-r, -2] or
  // [1, r - 2] (dimension 0 is the batch, the last the parts).
  if (axis < 0)
    axis += rank;
  if (axis < 1 || axis > rank - 2)
    return ctx.invalid() << "expected an axis among the signal dimensions "
                            "1 to "
                         << rank - 2 << " of " << in;
  if (onesided && inverse)
    return ctx.invalid() << "onesided and inverse may not both be set";
  int64_t n = in.getDimSize(axis), len = n;
  if (ctx.hasInput(1)) {
    std::optional<SmallVector<int64_t>> l = ctx.constantInts(1);
    if (!l || l->size() != 1)
      return ctx.unsupported() << "dft_length must be a constant scalar";
    len = (*l)[0];
    if (len < 1)
      return ctx.invalid() << "expected a positive dft_length, found " << len;
  }
  if (len > kMaxDFTLength)
    return ctx.unsupported() << "ds builds transforms of length up to "
                             << kMaxDFTLength << ", found " << len;
  int64_t bins = onesided ? len / 2 + 1 : len;

  Emitter e(ctx);
  // Move the axis last: [..., others..., N] with the parts dropped.
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  SmallVector<int64_t> partShape(in.getShape().drop_back());
  auto part = [&](int64_t p) -> FailureOr<Value> {
    FailureOr<Value> v =
        ctx.reshapeTo(e.gather(ctx.input(0), rank - 1, {p}), partShape);
    if (failed(v))
      return failure();
    return e.transpose(*v, perm);
  };
  FailureOr<Value> real = part(0);
  if (failed(real))
    return failure();
  Value xr = *real, xi;
  if (parts == 2) {
    FailureOr<Value> imag = part(1);
    if (failed(imag))
      return failure();
    xi = *imag;
  }
  // Truncate or zero-pad the signal to the transform length.
  auto fit = [&](Value v) -> Value {
    if (len == n)
      return v;
    RankedTensorType t = Emitter::typeOf(v);
    SmallVector<int64_t> shape(t.getShape());
    shape.back() = len;
    auto type = RankedTensorType::get(shape, element);
    int64_t last = t.getRank() - 1;
    if (len < n)
      return dsg::SliceOp::create(e.b, e.loc, type, v, ctx.constantI64({0}),
                                  ctx.constantI64({last}),
                                  ctx.constantI64({1}));
    SmallVector<int64_t> pads(2 * t.getRank(), 0);
    pads.back() = len - n;
    return dsg::PadOp::create(e.b, e.loc, type, v, ctx.constantI64(pads),
                              e.scalar(element, 0.0),
                              e.b.getStringAttr("constant"));
  };
  xr = fit(xr);
  if (xi)
    xi = fit(xi);

  auto matType = RankedTensorType::get({len, bins}, element);
  SmallVector<Attribute> cosines, sines;
  for (int64_t i = 0; i < len; ++i)
    for (int64_t k = 0; k < bins; ++k) {
      // Reduce n * k modulo L first so the angle stays exact.
      double angle = 2.0 * M_PI * static_cast<double>((i * k) % len) / len;
      cosines.push_back(FloatAttr::get(element, std::cos(angle)));
      sines.push_back(FloatAttr::get(element, std::sin(angle)));
    }
  Value c = dsg::ConstantOp::create(e.b, e.loc, matType,
                                    DenseElementsAttr::get(matType, cosines));
  Value s = dsg::ConstantOp::create(e.b, e.loc, matType,
                                    DenseElementsAttr::get(matType, sines));
  SmallVector<int64_t> outShape(Emitter::typeOf(xr).getShape());
  outShape.back() = bins;
  auto outType = RankedTensorType::get(outShape, element);
  auto mm = [&](Value a, Value m) {
    return dsg::MatMulOp::create(e.b, e.loc, outType, a, m);
  };
  Value yr = mm(xr, c), yi = e.unary<dsg::NegOp>(mm(xr, s));
  if (inverse)
    yi = e.unary<dsg::NegOp>(yi);
  if (xi) {
    Value ic = mm(xi, c), is = mm(xi, s);
    yr = inverse ? e.binary<dsg::SubOp>(yr, is) : e.binary<dsg::AddOp>(yr, is);
    yi = e.binary<dsg::AddOp>(yi, ic);
  }
  if (inverse) {
    Value scale = e.scalar(element, 1.0 / static_cast<double>(len));
    yr = e.binary<dsg::MulOp>(yr, scale);
    yi = e.binary<dsg::MulOp>(yi, scale);
  }
  // Back to the input's layout, parts last.
  SmallVector<int64_t> back(rank - 1);
  for (int64_t d = 0; d < rank - 1; ++d)
    back[perm[d]] = d;
  SmallVector<int64_t> resultShape(in.getShape());
  resultShape[axis] = bins;
  resultShape.back() = 1;
  SmallVector<Value> outs;
  for (Value v : {yr, yi}) {
    FailureOr<Value> r = ctx.reshapeTo(e.transpose(v, back), resultShape);
    if (failed(r))
      return failure();
    outs.push_back(*r);
  }
  resultShape.back() = 2;
  auto type = RankedTensorType::get(resultShape, element);
  FailureOr<RankedTensorType> declared = ctx.outputType(0, type);
  if (failed(declared))
    return failure();
  if (*declared != type)
    return ctx.invalid() << "expected output type " << type << ", found "
                         << *declared;
  ctx.setOutput(0, dsg::ConcatOp::create(e.b, e.loc, type, outs,
                                         e.b.getI64IntegerAttr(rank - 1)));
  return success();
}
