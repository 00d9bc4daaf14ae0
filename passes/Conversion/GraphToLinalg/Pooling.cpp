//===- Pooling.cpp - dsg max_pool and average_pool to linalg -------------===//
//
// Both pools pad the input (with the max identity or zero), also past the
// ONNX pads where ceil_mode needs room for the last window, and slide the
// window with a linalg.generic that reads a kernel-shaped tensor.empty only
// for its shape, as linalg's named pooling ops do.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

struct Window {
  int64_t spatial;
  SmallVector<int64_t> in, out, kernel, strides, dilations, padLow, padHigh,
      extraHigh;
};

/// Reads the window attributes; fails for dynamic spatial sizes.
template <typename OpTy>
FailureOr<Window> getWindow(OpTy op) {
  auto inType = op.getInput().getType();
  auto outType = cast<RankedTensorType>(op.getResult().getType());
  Window w;
  w.spatial = inType.getRank() - 2;
  ArrayRef<int64_t> pads = op.getPads();
  for (int64_t i = 0; i < w.spatial; ++i) {
    int64_t in = inType.getDimSize(2 + i), out = outType.getDimSize(2 + i);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out))
      return op.emitOpError("expected static spatial sizes");
    w.in.push_back(in);
    w.out.push_back(out);
    w.kernel.push_back(op.getKernelShape()[i]);
    w.strides.push_back(op.getStrides()[i]);
    w.dilations.push_back(op.getDilations()[i]);
    w.padLow.push_back(pads[i]);
    w.padHigh.push_back(pads[w.spatial + i]);
    int64_t need = (out - 1) * w.strides[i] +
                   (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t have = in + pads[i] + pads[w.spatial + i];
    w.extraHigh.push_back(std::max<int64_t>(0, need - have));
  }
  return w;
}

/// Maps of a window loop nest (n, c, o..., k...): padded input, kernel
/// shape, output.
SmallVector<AffineMap> windowMaps(MLIRContext *ctx, const Window &w) {
  int64_t n = 2 + 2 * w.spatial;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> in = {d(0), d(1)}, kernel, out = {d(0), d(1)};
  for (int64_t i = 0; i < w.spatial; ++i) {
    in.push_back(d(2 + i) * w.strides[i] +
                 d(2 + w.spatial + i) * w.dilations[i]);
    kernel.push_back(d(2 + w.spatial + i));
    out.push_back(d(2 + i));
  }
  return {AffineMap::get(n, 0, in, ctx), AffineMap::get(n, 0, kernel, ctx),
          AffineMap::get(n, 0, out, ctx)};
}

SmallVector<utils::IteratorType> windowIterators(const Window &w) {
  SmallVector<utils::IteratorType> it(2 + w.spatial,
                                      utils::IteratorType::parallel);
  it.append(w.spatial, utils::IteratorType::reduction);
  return it;
}

SmallVector<OpFoldResult> outputSizes(OpBuilder &b, Location loc, Value input,
                                      const Window &w) {
  SmallVector<OpFoldResult> s = sizesOf(b, loc, input);
  s.resize(2);
  for (int64_t o : w.out)
    s.push_back(b.getIndexAttr(o));
  return s;
}

Value filled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
             Value value) {
  Value e = emptyTensor(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{e})
      .getResult(0);
}

Value paddedInput(OpBuilder &b, Location loc, Value input, const Window &w,
                  Value padValue) {
  SmallVector<int64_t> high;
  for (int64_t i = 0; i < w.spatial; ++i)
    high.push_back(w.padHigh[i] + w.extraHigh[i]);
  return padSpatial(b, loc, input, w.padLow, high, padValue);
}

//===----------------------------------------------------------------------===//
// MaxPool
//===----------------------------------------------------------------------===//

struct MaxPoolLowering : OpConversionPattern<graph::MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    FailureOr<Window> w = getWindow(op);
    if (failed(w))
      return failure();
    Type orig = op.getInput().getType().getElementType();
    Type elem = toSignless(orig);
    bool isUnsigned = orig.isUnsignedInteger();
    Value lowest = lowestOf(b, loc, elem, isUnsigned);
    Value input = paddedInput(b, loc, adaptor.getInput(), *w, lowest);
    Value kernel = tensor::EmptyOp::create(b, loc, w->kernel, elem);
    SmallVector<OpFoldResult> outSizes =
        outputSizes(b, loc, adaptor.getInput(), *w);
    Value init = filled(b, loc, outSizes, lowest);
    SmallVector<AffineMap> maps = windowMaps(b.getContext(), *w);
    auto resultType = convertedResultType(*getTypeConverter(), op);

    if (!op.getIndices()) {
      Value pooled = linalg::GenericOp::create(
                         b, loc, TypeRange{init.getType()},
                         ValueRange{input, kernel}, ValueRange{init}, maps,
                         windowIterators(*w),
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           linalg::YieldOp::create(
                               nb, nloc,
                               maxScalar(nb, nloc, args[2], args[0],
                                         isUnsigned));
                         })
                         .getResult(0);
      rewriter.replaceOp(op, castTo(b, loc, pooled, resultType));
      return success();
    }

    // With indices: keep the first strictly greater element, as ONNX
    // Runtime does; padding holds the lowest value and so never wins.
    Value minusOne = arith::ConstantOp::create(b, loc, b.getI64Type(),
                                               b.getI64IntegerAttr(-1));
    Value initIdx = filled(b, loc, outSizes, minusOne);
    maps.push_back(maps.back());
    Value channels = getValueOrCreateConstantIndexOp(b, loc, outSizes[1]);
    bool columnMajor = op.getStorageOrder() == 1;
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType(), initIdx.getType()},
        ValueRange{input, kernel}, ValueRange{init, initIdx}, maps,
        windowIterators(*w),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value cand = args[0], cur = args[2], curIdx = args[3];
          Value better =
              isa<FloatType>(elem)
                  ? arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OGT,
                                          cand, cur)
                        .getResult()
                  : arith::CmpIOp::create(nb, nloc,
                                          isUnsigned
                                              ? arith::CmpIPredicate::ugt
                                              : arith::CmpIPredicate::sgt,
                                          cand, cur)
                        .getResult();
          auto cst = [&](int64_t v) {
            return arith::ConstantIndexOp::create(nb, nloc, v);
          };
          auto index = [&](int64_t dim) {
            return linalg::IndexOp::create(nb, nloc, dim);
          };
          // Position in the unpadded input along each spatial dimension.
          SmallVector<Value> pos;
          for (int64_t i = 0; i < w->spatial; ++i) {
            Value p = arith::AddIOp::create(
                nb, nloc,
                arith::MulIOp::create(nb, nloc, index(2 + i),
                                      cst(w->strides[i])),
                arith::MulIOp::create(nb, nloc, index(2 + w->spatial + i),
                                      cst(w->dilations[i])));
            pos.push_back(arith::SubIOp::create(nb, nloc, p,
                                                cst(w->padLow[i])));
          }
          Value flat = arith::AddIOp::create(
              nb, nloc, arith::MulIOp::create(nb, nloc, index(0), channels),
              index(1));
          if (!columnMajor) {
            for (int64_t i = 0; i < w->spatial; ++i)
              flat = arith::AddIOp::create(
                  nb, nloc, arith::MulIOp::create(nb, nloc, flat, cst(w->in[i])),
                  pos[i]);
          } else {
            int64_t plane = 1;
            for (int64_t s : w->in)
              plane *= s;
            Value inner = cst(0);
            for (int64_t i = w->spatial - 1; i >= 0; --i)
              inner = arith::AddIOp::create(
                  nb, nloc,
                  arith::MulIOp::create(nb, nloc, inner, cst(w->in[i])),
                  pos[i]);
            flat = arith::AddIOp::create(
                nb, nloc, arith::MulIOp::create(nb, nloc, flat, cst(plane)),
                inner);
          }
          Value idx =
              arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), flat);
          linalg::YieldOp::create(
              nb, nloc,
              ValueRange{
                  arith::SelectOp::create(nb, nloc, better, cand, cur),
                  arith::SelectOp::create(nb, nloc, better, idx, curIdx)});
        });
    auto idxType = convertedResultType(*getTypeConverter(), op, 1);
    rewriter.replaceOp(op, {castTo(b, loc, generic.getResult(0), resultType),
                            castTo(b, loc, generic.getResult(1), idxType)});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// AveragePool
//===----------------------------------------------------------------------===//

struct AveragePoolLowering : OpConversionPattern<graph::AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    FailureOr<Window> w = getWindow(op);
    if (failed(w))
      return failure();
    Type elem = op.getType().getElementType();
    Type acc = computeType(elem);
    Value input = paddedInput(b, loc, adaptor.getInput(), *w,
                              zeroOf(b, loc, elem));
    Value kernel = tensor::EmptyOp::create(b, loc, w->kernel, elem);
    SmallVector<OpFoldResult> outSizes =
        outputSizes(b, loc, adaptor.getInput(), *w);
    Value init = filled(b, loc, outSizes, zeroOf(b, loc, acc));
    Value sum =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{input, kernel},
            ValueRange{init}, windowMaps(b.getContext(), *w),
            windowIterators(*w),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value x = convertScalar(nb, nloc, args[0], elem, acc);
              linalg::YieldOp::create(nb, nloc,
                                      arith::AddFOp::create(nb, nloc, args[2],
                                                            x)
                                          .getResult());
            })
            .getResult(0);

    // Divide by the number of window positions that count: inside the
    // input, or inside input + pads with count_include_pad; never the
    // extra ceil_mode positions.
    bool includePad = op.getCountIncludePad();
    int64_t rank = 2 + w->spatial;
    Value out = emptyTensor(b, loc, outSizes, elem);
    SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{out.getType()}, ValueRange{sum},
            ValueRange{out}, maps,
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              auto cst = [&](int64_t v) -> Value {
                return arith::ConstantIndexOp::create(nb, nloc, v);
              };
              Value count = cst(1), zero = cst(0);
              for (int64_t i = 0; i < w->spatial; ++i) {
                Value o = linalg::IndexOp::create(nb, nloc, 2 + i);
                Value start = arith::SubIOp::create(
                    nb, nloc, arith::MulIOp::create(nb, nloc, o,
                                                    cst(w->strides[i])),
                    cst(w->padLow[i]));
                int64_t lo = includePad ? -w->padLow[i] : 0;
                int64_t hi = includePad ? w->in[i] + w->padHigh[i] : w->in[i];
                Value dil = cst(w->dilations[i]);
                Value first = arith::MaxSIOp::create(
                    nb, nloc, zero,
                    arith::CeilDivSIOp::create(
                        nb, nloc, arith::SubIOp::create(nb, nloc, cst(lo), start),
                        dil));
                Value last = arith::MinSIOp::create(
                    nb, nloc, cst(w->kernel[i]),
                    arith::CeilDivSIOp::create(
                        nb, nloc, arith::SubIOp::create(nb, nloc, cst(hi), start),
                        dil));
                Value n = arith::MaxSIOp::create(
                    nb, nloc, zero, arith::SubIOp::create(nb, nloc, last, first));
                count = arith::MulIOp::create(nb, nloc, count, n);
              }
              Value countF = arith::SIToFPOp::create(
                  nb, nloc, acc,
                  arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), count));
              Value avg = arith::DivFOp::create(nb, nloc, args[0], countF);
              linalg::YieldOp::create(nb, nloc,
                                      convertScalar(nb, nloc, avg, acc, elem));
            })
            .getResult(0);
    rewriter.replaceOp(
        op, castTo(b, loc, result,
                   convertedResultType(*getTypeConverter(), op)));
    return success();
  }
};

} // namespace

void graph_to_linalg::populatePoolingPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering>(converter,
                                                     patterns.getContext());
}
