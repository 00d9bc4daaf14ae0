//===- LinearAlgebra.cpp - dsg matmul, gemm and conv to linalg -----------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

Value dimOf(OpBuilder &b, Location loc, Value v, int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc, sizesOf(b, loc, v)[i]);
}

/// A zero-filled accumulator of `sizes` with element type `t`.
Value zeros(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type t) {
  Value init = emptyTensor(b, loc, sizes, t);
  return linalg::FillOp::create(b, loc, ValueRange{zeroOf(b, loc, t)},
                                ValueRange{init})
      .getResult(0);
}

/// Materializes `v` broadcast to `sizes` (right-aligned NumPy rules).
Value broadcastTo(OpBuilder &b, Location loc, Value v,
                  ArrayRef<OpFoldResult> sizes) {
  auto t = cast<RankedTensorType>(v.getType());
  Value init = emptyTensor(b, loc, sizes, t.getElementType());
  auto initType = cast<RankedTensorType>(init.getType());
  if (initType == t)
    return v;
  SmallVector<AffineMap> maps = {
      broadcastMap(b.getContext(), t.getShape(), initType.getShape()),
      b.getMultiDimIdentityMap(initType.getRank())};
  SmallVector<utils::IteratorType> iterators(initType.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{initType}, ValueRange{v}, ValueRange{init},
             maps, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      .getResult(0);
}

/// [M, K] x [K, N] -> [M, N] accumulated in `acc`.
Value matmul2d(OpBuilder &b, Location loc, Value lhs, Value rhs, Type acc) {
  SmallVector<OpFoldResult> sizes = {sizesOf(b, loc, lhs)[0],
                                     sizesOf(b, loc, rhs)[1]};
  Value init = zeros(b, loc, sizes, acc);
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

struct MatMulLowering : OpConversionPattern<graph::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type elem = op.getType().getElementType();
    Type acc = computeType(elem);
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();

    // Rank-1 promotion.
    auto promote = [&](Value v, bool front) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape = {1, t.getDimSize(0)};
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                         sizesOf(b, loc, v)[0]};
      if (!front) {
        std::swap(shape[0], shape[1]);
        std::swap(sizes[0], sizes[1]);
      }
      return tensor::ExpandShapeOp::create(
          b, loc, t.clone(shape), v,
          ArrayRef<ReassociationIndices>{{0, 1}}, sizes);
    };
    bool dropM = cast<RankedTensorType>(lhs.getType()).getRank() == 1;
    bool dropN = cast<RankedTensorType>(rhs.getType()).getRank() == 1;
    if (dropM)
      lhs = promote(lhs, /*front=*/true);
    if (dropN)
      rhs = promote(rhs, /*front=*/false);
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    int64_t lb = lt.getRank() - 2, rb = rt.getRank() - 2;
    int64_t nb = std::max(lb, rb);
    SmallVector<OpFoldResult> ls = sizesOf(b, loc, lhs),
                              rs = sizesOf(b, loc, rhs);

    Value product; // [batch..., M, N] in `acc`.
    SmallVector<OpFoldResult> fullSizes;
    if (nb == 0) {
      product = matmul2d(b, loc, lhs, rhs, acc);
      fullSizes = {ls[0], rs[1]};
    } else if (rb == 0) {
      // [batch..., M, K] x [K, N]: fold the batch into M.
      ReassociationIndices rows =
          llvm::to_vector(llvm::seq<int64_t>(0, lt.getRank() - 1));
      Value flat = tensor::CollapseShapeOp::create(
          b, loc, lhs,
          ArrayRef<ReassociationIndices>{rows, {lt.getRank() - 1}});
      Value mm = matmul2d(b, loc, flat, rhs, acc);
      fullSizes.assign(ls.begin(), ls.end() - 1);
      fullSizes.push_back(rs[1]);
      SmallVector<int64_t> shape;
      for (OpFoldResult s : fullSizes)
        shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
      product = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, acc), mm,
          ArrayRef<ReassociationIndices>{rows, {lt.getRank() - 1}}, fullSizes);
    } else {
      // General case: broadcast both to the common batch, fold the batch
      // into one dimension and use batch_matmul.
      SmallVector<OpFoldResult> batch;
      for (int64_t i = 0; i < nb; ++i) {
        int64_t li = i - (nb - lb), ri = i - (nb - rb);
        auto fromL = li >= 0 ? std::optional(ls[li]) : std::nullopt;
        auto fromR = ri >= 0 ? std::optional(rs[ri]) : std::nullopt;
        auto isOne = [](std::optional<OpFoldResult> s) {
          return !s || isConstantIntValue(*s, 1);
        };
        if (!isOne(fromL))
          batch.push_back(*fromL);
        else if (!isOne(fromR))
          batch.push_back(*fromR);
        else
          batch.push_back(b.getIndexAttr(1));
      }
      SmallVector<OpFoldResult> lsz(batch), rsz(batch);
      lsz.append({ls[lb], ls[lb + 1]});
      rsz.append({rs[rb], rs[rb + 1]});
      Value l = broadcastTo(b, loc, lhs, lsz);
      Value r = broadcastTo(b, loc, rhs, rsz);
      ReassociationIndices batchDims =
          llvm::to_vector(llvm::seq<int64_t>(0, nb));
      SmallVector<ReassociationIndices> re = {batchDims, {nb}, {nb + 1}};
      Value l3 = tensor::CollapseShapeOp::create(b, loc, l, re);
      Value r3 = tensor::CollapseShapeOp::create(b, loc, r, re);
      SmallVector<OpFoldResult> s3 = {sizesOf(b, loc, l3)[0],
                                      sizesOf(b, loc, l3)[1],
                                      sizesOf(b, loc, r3)[2]};
      Value init = zeros(b, loc, s3, acc);
      Value mm = linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                               ValueRange{l3, r3},
                                               ValueRange{init})
                     .getResult(0);
      fullSizes = batch;
      fullSizes.append({ls[lb], rs[rb + 1]});
      SmallVector<int64_t> shape;
      for (OpFoldResult s : fullSizes)
        shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
      product = nb == 1 ? mm
                        : tensor::ExpandShapeOp::create(
                              b, loc, RankedTensorType::get(shape, acc), mm, re,
                              fullSizes)
                              .getResult();
    }
    product = convertTensor(b, loc, product, acc, elem);
    // Drop the promoted unit dimensions.
    SmallVector<OpFoldResult> outSizes(fullSizes);
    if (dropN)
      outSizes.pop_back();
    if (dropM)
      outSizes.erase(outSizes.end() - (dropN ? 1 : 2));
    rewriter.replaceOp(op, reshapeTo(b, loc, product, resultType, outSizes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

struct GemmLowering : OpConversionPattern<graph::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type elem = op.getType().getElementType();
    Type acc = computeType(elem);
    // Transposed operands are read through the contraction's indexing maps
    // (loops m, n, k) instead of being copied: the CPU back end then passes
    // them to its GEMM kernel as strided views, and a constant weight is
    // packed once (an exported nn.Linear is Gemm with trans_b).
    Value a = adaptor.getA(), bm = adaptor.getB();
    Value y;
    if (!op.getTransA() && !op.getTransB()) {
      y = matmul2d(b, loc, a, bm, acc);
    } else {
      MLIRContext *ctx = b.getContext();
      AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      SmallVector<AffineMap> maps = {
          AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                              : ArrayRef<AffineExpr>{m, k},
                         ctx),
          AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                              : ArrayRef<AffineExpr>{k, n},
                         ctx),
          AffineMap::get(3, 0, {m, n}, ctx)};
      SmallVector<OpFoldResult> sa = sizesOf(b, loc, a),
                                sb = sizesOf(b, loc, bm);
      Value init = zeros(b, loc,
                         {sa[op.getTransA() ? 1 : 0], sb[op.getTransB() ? 0 : 1]},
                         acc);
      y = linalg::GenericOp::create(
              b, loc, TypeRange{init.getType()}, ValueRange{a, bm},
              ValueRange{init}, maps,
              {utils::IteratorType::parallel, utils::IteratorType::parallel,
               utils::IteratorType::reduction},
              [&](OpBuilder &nb, Location nloc, ValueRange args) {
                Value x = convertScalar(nb, nloc, args[0], elem, acc);
                Value w = convertScalar(nb, nloc, args[1], elem, acc);
                linalg::YieldOp::create(
                    nb, nloc,
                    addScalar(nb, nloc, args[2], mulScalar(nb, nloc, x, w)));
              })
              .getResult(0);
    }
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    if (c && beta == 0.0)
      c = nullptr;
    if (alpha == 1.0 && !c) {
      rewriter.replaceOp(op, castTo(b, loc, convertTensor(b, loc, y, acc, elem),
                                    resultType));
      return success();
    }
    auto scalar = [&](OpBuilder &nb, Location nloc, double v) -> Value {
      if (isa<FloatType>(acc))
        return arith::ConstantOp::create(nb, nloc, acc,
                                         nb.getFloatAttr(acc, v));
      return arith::ConstantOp::create(
          nb, nloc, acc, nb.getIntegerAttr(acc, static_cast<int64_t>(v)));
    };
    Type cElem = c ? op.getC().getType().getElementType() : elem;
    SmallVector<Value> inputs = {castTo(b, loc, y, resultType.clone(acc))};
    if (c)
      inputs.push_back(c);
    FailureOr<Value> result = buildElementwise(
        b, op, resultType, inputs,
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          Value r = args[0];
          if (alpha != 1.0)
            r = mulScalar(nb, nloc, r, scalar(nb, nloc, alpha));
          if (args.size() > 1) {
            Value cv = convertScalar(nb, nloc, args[1], cElem, acc);
            if (beta != 1.0)
              cv = mulScalar(nb, nloc, cv, scalar(nb, nloc, beta));
            r = addScalar(nb, nloc, r, cv);
          }
          return convertScalar(nb, nloc, r, acc, elem);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

/// Splits dimension `dim` of `v` into [groups, size / groups].
Value splitDim(OpBuilder &b, Location loc, Value v, int64_t dim,
               int64_t groups) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, v);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outSizes;
  SmallVector<ReassociationIndices> re;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    int64_t d = t.getDimSize(i);
    if (i == dim) {
      re.push_back({(int64_t)shape.size(), (int64_t)shape.size() + 1});
      shape.push_back(groups);
      shape.push_back(ShapedType::isDynamic(d) ? d : d / groups);
      outSizes.push_back(b.getIndexAttr(groups));
      outSizes.push_back(ShapedType::isDynamic(d) ? sizes[i]
                                                  : b.getIndexAttr(d / groups));
      continue;
    }
    re.push_back({(int64_t)shape.size()});
    shape.push_back(d);
    outSizes.push_back(sizes[i]);
  }
  return tensor::ExpandShapeOp::create(b, loc, t.clone(shape), v, re,
                                       outSizes);
}

struct ConvLowering : OpConversionPattern<graph::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    auto resultType = convertedResultType(*getTypeConverter(), op);
    Type elem = op.getType().getElementType();
    Type acc = computeType(elem);
    auto inType = op.getInput().getType();
    auto wType = op.getWeight().getType();
    int64_t spatial = inType.getRank() - 2;
    int64_t groups = op.getGroup();
    if (groups > 1 && (ShapedType::isDynamic(inType.getDimSize(1)) ||
                       ShapedType::isDynamic(wType.getDimSize(0))))
      return op.emitOpError("expected static channel counts for a grouped "
                            "convolution");
    for (int64_t i = 0; i < spatial; ++i)
      if (ShapedType::isDynamic(resultType.getDimSize(2 + i)) ||
          ShapedType::isDynamic(wType.getDimSize(2 + i)))
        return op.emitOpError("expected static spatial output and kernel "
                              "sizes");
    ArrayRef<int64_t> pads = op.getPads();
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations();

    Value input = padSpatial(b, loc, adaptor.getInput(),
                             pads.take_front(spatial), pads.drop_front(spatial),
                             zeroOf(b, loc, toSignless(elem)));
    input = splitDim(b, loc, input, 1, groups);             // [N,G,C/G,S..]
    Value weight = splitDim(b, loc, adaptor.getWeight(), 0, groups); // [G,F/G,..]

    // Loops: n, g, f, o..., c, k...
    int64_t nLoops = 4 + 2 * spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    int64_t cLoop = 3 + spatial, kLoop = 4 + spatial;
    SmallVector<AffineExpr> inExprs = {d(0), d(1), d(cLoop)};
    SmallVector<AffineExpr> wExprs = {d(1), d(2), d(cLoop)};
    SmallVector<AffineExpr> outExprs = {d(0), d(1), d(2)};
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(d(3 + i) * strides[i] + d(kLoop + i) * dil[i]);
      wExprs.push_back(d(kLoop + i));
      outExprs.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, inExprs, ctx),
                                   AffineMap::get(nLoops, 0, wExprs, ctx),
                                   AffineMap::get(nLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + spatial,
                                               utils::IteratorType::parallel);
    iterators.append(1 + spatial, utils::IteratorType::reduction);

    SmallVector<OpFoldResult> wSizes = sizesOf(b, loc, weight);
    SmallVector<OpFoldResult> outSizes = {sizesOf(b, loc, input)[0],
                                          b.getIndexAttr(groups), wSizes[1]};
    for (int64_t i = 0; i < spatial; ++i)
      outSizes.push_back(b.getIndexAttr(resultType.getDimSize(2 + i)));
    Value init = zeros(b, loc, outSizes, acc);
    Value conv =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{input, weight},
            ValueRange{init}, maps, iterators,
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value x = convertScalar(nb, nloc, args[0], elem, acc);
              Value w = convertScalar(nb, nloc, args[1], elem, acc);
              linalg::YieldOp::create(
                  nb, nloc,
                  addScalar(nb, nloc, args[2], mulScalar(nb, nloc, x, w)));
            })
            .getResult(0);
    // [N, G, F/G, O...] -> [N, F, O...].
    SmallVector<ReassociationIndices> re = {{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      re.push_back({3 + i});
    conv = tensor::CollapseShapeOp::create(b, loc, conv, re);
    conv = castTo(b, loc, conv, resultType.clone(acc));

    Value bias = adaptor.getBias();
    if (!bias) {
      rewriter.replaceOp(op, convertTensor(b, loc, conv, acc, elem));
      return success();
    }
    Type biasElem = op.getBias().getType().getElementType();
    SmallVector<AffineMap> epiMaps = {
        b.getMultiDimIdentityMap(resultType.getRank()),
        AffineMap::get(resultType.getRank(), 0, {d(1)}, ctx),
        b.getMultiDimIdentityMap(resultType.getRank())};
    Value out = emptyTensor(b, loc, sizesOf(b, loc, conv), toSignless(elem));
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{out.getType()}, ValueRange{conv, bias},
            ValueRange{out}, epiMaps,
            SmallVector<utils::IteratorType>(resultType.getRank(),
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value bv = convertScalar(nb, nloc, args[1], biasElem, acc);
              Value r = addScalar(nb, nloc, args[0], bv);
              linalg::YieldOp::create(nb, nloc,
                                      convertScalar(nb, nloc, r, acc, elem));
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, result, resultType));
    return success();
  }
};

} // namespace

void graph_to_linalg::populateLinearAlgebraPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, ConvLowering>(
      converter, patterns.getContext());
}
