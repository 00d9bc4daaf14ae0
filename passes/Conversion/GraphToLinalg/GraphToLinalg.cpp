//===- GraphToLinalg.cpp - dsg to linalg/tensor/arith/math ---------------===//
//
// The pass driver, the type converter, dsg.constant and the helpers shared
// by the op-family files.
//
//===----------------------------------------------------------------------===//
#include "Common.h"
#include "Dynamic.h"

#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::ds {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type graph_to_linalg::toSignless(Type type) {
  if (auto shaped = dyn_cast<RankedTensorType>(type))
    return shaped.clone(toSignless(shaped.getElementType()));
  if (auto i = dyn_cast<IntegerType>(type); i && !i.isSignless())
    return IntegerType::get(type.getContext(), i.getWidth());
  return type;
}

GraphTypeConverter::GraphTypeConverter() {
  addConversion([](Type t) { return toSignless(t); });
  // Values crossing a partially converted boundary are bridged with casts.
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

Type graph_to_linalg::elementTypeOf(Type t) {
  if (auto s = dyn_cast<ShapedType>(t))
    return s.getElementType();
  return t;
}
Type graph_to_linalg::elementTypeOf(Value v) {
  return elementTypeOf(v.getType());
}

Type graph_to_linalg::computeType(Type t) {
  if (t.isF16() || t.isBF16())
    return Float32Type::get(t.getContext());
  return toSignless(t);
}

Value graph_to_linalg::convertScalar(OpBuilder &b, Location loc, Value v,
                                     Type from, Type to) {
  Type dst = toSignless(to);
  if (toSignless(from) == dst)
    return v;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (dst.isInteger(1)) {
    if (fromF)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   zeroOf(b, loc, v.getType()));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 zeroOf(b, loc, v.getType()));
  }
  // Booleans are 0/1, never -1.
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth())
      return arith::ExtFOp::create(b, loc, dst, v);
    if (fromF.getWidth() > toF.getWidth())
      return arith::TruncFOp::create(b, loc, dst, v);
    // f16 <-> bf16: go through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, dst, wide);
  }
  if (fromF) {
    if (to.isUnsignedInteger())
      return arith::FPToUIOp::create(b, loc, dst, v);
    return arith::FPToSIOp::create(b, loc, dst, v);
  }
  if (toF) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, dst, v);
    return arith::SIToFPOp::create(b, loc, dst, v);
  }
  unsigned fw = from.getIntOrFloatBitWidth(), tw = dst.getIntOrFloatBitWidth();
  if (fw < tw) {
    if (fromUnsigned)
      return arith::ExtUIOp::create(b, loc, dst, v);
    return arith::ExtSIOp::create(b, loc, dst, v);
  }
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, dst, v);
  return v;
}

Value graph_to_linalg::zeroOf(OpBuilder &b, Location loc, Type t) {
  return arith::ConstantOp::create(b, loc, t, b.getZeroAttr(t));
}

Value graph_to_linalg::oneOf(OpBuilder &b, Location loc, Type t) {
  if (auto f = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 1.0));
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, 1));
}

Value graph_to_linalg::lowestOf(OpBuilder &b, Location loc, Type t,
                                bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc, t,
        b.getFloatAttr(t, APFloat::getInf(f.getFloatSemantics(), true)));
  unsigned w = t.getIntOrFloatBitWidth();
  APInt v = isUnsigned ? APInt::getMinValue(w) : APInt::getSignedMinValue(w);
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
}

Value graph_to_linalg::highestOf(OpBuilder &b, Location loc, Type t,
                                 bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc, t,
        b.getFloatAttr(t, APFloat::getInf(f.getFloatSemantics(), false)));
  unsigned w = t.getIntOrFloatBitWidth();
  APInt v = isUnsigned ? APInt::getMaxValue(w) : APInt::getSignedMaxValue(w);
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
}

Value graph_to_linalg::addScalar(OpBuilder &b, Location loc, Value x,
                                 Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value graph_to_linalg::mulScalar(OpBuilder &b, Location loc, Value x,
                                 Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value graph_to_linalg::maxScalar(OpBuilder &b, Location loc, Value x, Value y,
                                 bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value graph_to_linalg::minScalar(OpBuilder &b, Location loc, Value x, Value y,
                                 bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

//===----------------------------------------------------------------------===//
// Shapes and generics
//===----------------------------------------------------------------------===//

AffineMap graph_to_linalg::broadcastMap(MLIRContext *ctx,
                                        ArrayRef<int64_t> operandShape,
                                        ArrayRef<int64_t> outShape) {
  size_t offset = outShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(operandShape)) {
    if (d == 1 && outShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(outShape.size(), 0, exprs, ctx);
}

FailureOr<SmallVector<OpFoldResult>>
graph_to_linalg::broadcastSizes(OpBuilder &b, Location loc,
                                RankedTensorType outType,
                                ValueRange operands) {
  SmallVector<OpFoldResult> sizes;
  int64_t rank = outType.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = outType.getDimSize(i);
    if (!ShapedType::isDynamic(d)) {
      sizes.push_back(b.getIndexAttr(d));
      continue;
    }
    OpFoldResult found;
    bool allOne = true;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t j = i - (rank - t.getRank());
      if (j < 0)
        continue;
      int64_t vd = t.getDimSize(j);
      if (vd == 1)
        continue;
      allOne = false;
      if (ShapedType::isDynamic(vd)) {
        found = tensor::DimOp::create(b, loc, v, j).getResult();
      } else {
        found = b.getIndexAttr(vd);
      }
      break;
    }
    if (!found && allOne)
      found = b.getIndexAttr(1);
    if (!found)
      return failure();
    sizes.push_back(found);
  }
  return sizes;
}

Value graph_to_linalg::emptyTensor(OpBuilder &b, Location loc,
                                   ArrayRef<OpFoldResult> sizes,
                                   Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

SmallVector<OpFoldResult> graph_to_linalg::sizesOf(OpBuilder &b, Location loc,
                                                   Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

Value graph_to_linalg::castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

FailureOr<Value> graph_to_linalg::buildElementwise(
    OpBuilder &b, Operation *op, RankedTensorType outType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Location loc = op->getLoc();
  FailureOr<SmallVector<OpFoldResult>> sizes =
      broadcastSizes(b, loc, outType, inputs);
  if (failed(sizes))
    return op->emitOpError("cannot determine a dynamic result size: no "
                           "operand has that dimension unbroadcast");
  Value init = emptyTensor(b, loc, *sizes, outType.getElementType());
  auto initType = cast<RankedTensorType>(init.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(v.getType()).getShape(),
        initType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(outType.getRank()));
  SmallVector<utils::IteratorType> iterators(outType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{initType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, r);
      });
  return castTo(b, loc, generic.getResult(0), outType);
}

Value graph_to_linalg::padSpatial(OpBuilder &b, Location loc, Value v,
                                  ArrayRef<int64_t> low,
                                  ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return v;
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(t.getShape());
  SmallVector<OpFoldResult> lo(2, b.getIndexAttr(0)), hi(2, b.getIndexAttr(0));
  for (size_t i = 0; i < low.size(); ++i) {
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
    if (!ShapedType::isDynamic(shape[i + 2]))
      shape[i + 2] += low[i] + high[i];
  }
  return tensor::PadOp::create(b, loc, t.clone(shape), v, lo, hi, padValue);
}

Value graph_to_linalg::convertTensor(OpBuilder &b, Location loc, Value v,
                                     Type from, Type to) {
  if (toSignless(from) == toSignless(to))
    return v;
  auto t = cast<RankedTensorType>(v.getType());
  Value init = emptyTensor(b, loc, sizesOf(b, loc, v), toSignless(to));
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(t.getRank()));
  SmallVector<utils::IteratorType> iterators(t.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, convertScalar(nb, nloc, args[0], from, to));
             })
      .getResult(0);
}

AffineMap graph_to_linalg::keptDimsMap(MLIRContext *ctx,
                                       ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> exprs;
  for (auto [i, r] : llvm::enumerate(reduced))
    if (!r)
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

Value graph_to_linalg::buildReduction(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> loopSizes,
    ArrayRef<bool> reduced, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> combine) {
  SmallVector<OpFoldResult> kept;
  SmallVector<utils::IteratorType> iterators;
  for (auto [s, r] : llvm::zip(loopSizes, reduced)) {
    if (!r)
      kept.push_back(s);
    iterators.push_back(r ? utils::IteratorType::reduction
                          : utils::IteratorType::parallel);
  }
  Value empty = emptyTensor(b, loc, kept, init.getType());
  Value filled = linalg::FillOp::create(b, loc, ValueRange{init},
                                        ValueRange{empty})
                     .getResult(0);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(keptDimsMap(b.getContext(), reduced));
  return linalg::GenericOp::create(
             b, loc, TypeRange{filled.getType()}, inputs, ValueRange{filled},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args));
             })
      .getResult(0);
}

Value graph_to_linalg::productAs(OpBuilder &b, Location loc,
                                 ArrayRef<OpFoldResult> sizes, Type t) {
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (OpFoldResult s : sizes)
    n = arith::MulIOp::create(b, loc, n,
                              getValueOrCreateConstantIndexOp(b, loc, s));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  if (isa<FloatType>(t))
    return arith::SIToFPOp::create(b, loc, t, i64);
  return convertScalar(b, loc, i64, b.getI64Type(), t);
}

static Value collapseAll(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 1)
    return v;
  if (t.getRank() == 0)
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, t.getElementType()), v,
        ArrayRef<ReassociationIndices>{});
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, t.getRank()));
  return tensor::CollapseShapeOp::create(b, loc, v,
                                         ArrayRef<ReassociationIndices>{all});
}

Value graph_to_linalg::reshapeTo(OpBuilder &b, Location loc, Value v,
                                 RankedTensorType type,
                                 ArrayRef<OpFoldResult> sizes) {
  auto src = cast<RankedTensorType>(v.getType());
  if (src == type)
    return v;
  // Same rank is only a cast when no size actually changes
  // (2x3x4 -> 2x6x2 has equal ranks but moves elements between dimensions).
  if (tensor::CastOp::areCastCompatible(src, type))
    return castTo(b, loc, v, type);
  std::optional<SmallVector<ReassociationIndices>> re;
  if (src.getRank() != type.getRank())
    re = getReassociationIndicesForReshape(src, type);
  if (re) {
    if (src.getRank() > type.getRank())
      return castTo(b, loc, tensor::CollapseShapeOp::create(b, loc, v, *re),
                    type);
    return tensor::ExpandShapeOp::create(b, loc, type, v, *re, sizes);
  }
  Value flat = collapseAll(b, loc, v);
  if (type.getRank() == 1)
    return castTo(b, loc, flat, type);
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(
        b, loc, type, castTo(b, loc, flat, RankedTensorType::get(
                                                {1}, type.getElementType())),
        ArrayRef<ReassociationIndices>{});
  // A dynamic flat size expanding into a static shape: make it static.
  if (type.hasStaticShape())
    flat = castTo(b, loc, flat,
                  RankedTensorType::get({type.getNumElements()},
                                        type.getElementType()));
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       ArrayRef<ReassociationIndices>{all},
                                       sizes);
}

//===----------------------------------------------------------------------===//
// dsg.constant
//===----------------------------------------------------------------------===//

namespace {
struct ConstantLowering : OpConversionPattern<graph::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*getTypeConverter(), op);
    Attribute value = op.getValue();
    TypedAttr newValue;
    if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value)) {
      newValue = dense.getType() == type
                     ? cast<TypedAttr>(dense)
                     : cast<TypedAttr>(dense.bitcast(type.getElementType()));
    } else if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
      newValue = res.getType() == type
                     ? cast<TypedAttr>(res)
                     : cast<TypedAttr>(DenseResourceElementsAttr::get(
                           type, res.getRawHandle()));
    } else {
      return op.emitOpError() << "expected a dense or dense_resource value, "
                                 "found "
                              << value;
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type, newValue);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct ConvertGraphToLinalgPass
    : ds::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    GraphTypeConverter converter;
    RewritePatternSet patterns(ctx);
    patterns.add<ConstantLowering>(converter, ctx);
    populateElementwisePatterns(converter, patterns);
    populateLinearAlgebraPatterns(converter, patterns);
    populatePoolingPatterns(converter, patterns);
    populateReductionPatterns(converter, patterns);
    populateNormalizationPatterns(converter, patterns);
    populateDataMovementPatterns(converter, patterns);
    populateIndexingPatterns(converter, patterns);
    populateAttentionPatterns(converter, patterns);
    populateDynamicShapePatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<graph::DSGDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           scf::SCFDialect, vector::VectorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    if (failed(applyFullConversion(getOperation(), target,
                                   std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
