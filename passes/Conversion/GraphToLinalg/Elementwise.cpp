//===- Elementwise.cpp - dsg elementwise ops to linalg.generic -----------===//
#include "Common.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::graph_to_linalg;

namespace {

/// Runs `fn` on the scalars converted to the compute type (f32 for 16-bit
/// floats), then converts the result back to `type`.
Value computeIn(OpBuilder &b, Location loc, Type type, ValueRange args,
                function_ref<Value(ValueRange)> fn) {
  Type ct = computeType(type);
  SmallVector<Value> wide;
  for (Value a : args)
    wide.push_back(convertScalar(b, loc, a, a.getType(), ct));
  return convertScalar(b, loc, fn(wide), ct, type);
}

//===----------------------------------------------------------------------===//
// Binary arithmetic
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*this->getTypeConverter(), op);
    bool isUnsigned = op.getType().getElementType().isUnsignedInteger();
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0], y = args[1];
          bool isFloat = isa<FloatType>(x.getType());
          if constexpr (std::is_same_v<OpTy, graph::AddOp>)
            return addScalar(b, loc, x, y);
          if constexpr (std::is_same_v<OpTy, graph::MulOp>)
            return mulScalar(b, loc, x, y);
          if constexpr (std::is_same_v<OpTy, graph::SubOp>) {
            if (isFloat)
              return arith::SubFOp::create(b, loc, x, y);
            return arith::SubIOp::create(b, loc, x, y);
          }
          if constexpr (std::is_same_v<OpTy, graph::DivOp>) {
            if (isFloat)
              return arith::DivFOp::create(b, loc, x, y);
            if (isUnsigned)
              return arith::DivUIOp::create(b, loc, x, y);
            return arith::DivSIOp::create(b, loc, x, y);
          }
          llvm_unreachable("unhandled binary op");
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pow
//===----------------------------------------------------------------------===//

/// Integer power by repeated squaring (exact, like NumPy's), with the
/// `math.ipowi` conventions for negative exponents: 1 for base 1, +-1 for
/// base -1, 0 otherwise.
Value integerPow(OpBuilder &b, Location loc, Value base, Value exp) {
  Type t = base.getType();
  Value zero = zeroOf(b, loc, t), one = oneOf(b, loc, t);
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{t, t, t}, ValueRange{one, base, exp},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value more = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sgt,
                                           args[2], zeroOf(nb, nloc, t));
        scf::ConditionOp::create(nb, nloc, more, args);
      },
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value acc = args[0], sq = args[1], e = args[2];
        Value c1 = oneOf(nb, nloc, t);
        Value odd = arith::CmpIOp::create(
            nb, nloc, arith::CmpIPredicate::ne,
            arith::AndIOp::create(nb, nloc, e, c1), zeroOf(nb, nloc, t));
        Value prod = arith::MulIOp::create(nb, nloc, acc, sq);
        acc = arith::SelectOp::create(nb, nloc, odd, prod, acc);
        sq = arith::MulIOp::create(nb, nloc, sq, sq);
        e = arith::ShRUIOp::create(nb, nloc, e, c1);
        scf::YieldOp::create(nb, nloc, ValueRange{acc, sq, e});
      });
  Value result = loop.getResult(0);
  // Negative exponents.
  Value minusOne = arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, -1));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, exp, zero);
  Value isOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, one);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, minusOne);
  Value odd = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                    arith::AndIOp::create(b, loc, exp, one),
                                    zero);
  Value signOfMinusOne = arith::SelectOp::create(b, loc, odd, minusOne, one);
  Value special = arith::SelectOp::create(
      b, loc, isOne, one,
      arith::SelectOp::create(b, loc, isMinusOne, signOfMinusOne, zero));
  return arith::SelectOp::create(b, loc, negative, special, result);
}

struct PowLowering : OpConversionPattern<graph::PowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*getTypeConverter(), op);
    Type baseT = op.getLhs().getType().getElementType();
    Type expT = op.getRhs().getType().getElementType();
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0], y = args[1];
          if (isa<FloatType>(baseT)) {
            // Any exponent type: compute in the base's compute type.
            Type ct = computeType(baseT);
            Value bx = convertScalar(b, loc, x, baseT, ct);
            Value by = convertScalar(b, loc, y, expT, ct);
            return convertScalar(b, loc, math::PowFOp::create(b, loc, bx, by),
                                 ct, baseT);
          }
          if (isa<FloatType>(expT)) {
            // Integer base, float exponent: in f64, then truncate.
            Type f64 = b.getF64Type();
            Value bx = convertScalar(b, loc, x, baseT, f64);
            Value by = convertScalar(b, loc, y, expT, f64);
            return convertScalar(b, loc, math::PowFOp::create(b, loc, bx, by),
                                 f64, baseT);
          }
          // Both integers: the exponent in the base's width (a negative
          // signed exponent keeps its sign; unsigned ones are zero-extended).
          Value e = convertScalar(b, loc, y, expT, baseT);
          return integerPow(b, loc, x, e);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Where
//===----------------------------------------------------------------------===//

struct WhereLowering : OpConversionPattern<graph::WhereOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::WhereOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*getTypeConverter(), op);
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*this->getTypeConverter(), op);
    Type elem = op.getType().getElementType();
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if constexpr (std::is_same_v<OpTy, graph::ReluOp>) {
            if (!isa<FloatType>(elem))
              return elem.isUnsignedInteger()
                         ? args[0]
                         : maxScalar(b, loc, args[0],
                                     zeroOf(b, loc, args[0].getType()),
                                     /*isUnsigned=*/false);
          }
          return computeIn(b, loc, elem, args, [&](ValueRange w) -> Value {
            Value x = w[0];
            if constexpr (std::is_same_v<OpTy, graph::ReluOp>)
              return arith::MaximumFOp::create(b, loc, x,
                                               zeroOf(b, loc, x.getType()));
            if constexpr (std::is_same_v<OpTy, graph::SqrtOp>)
              return math::SqrtOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::TanhOp>)
              return math::TanhOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::ErfOp>)
              return math::ErfOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::ExpOp>)
              return math::ExpOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::SigmoidOp>) {
              Value one = oneOf(b, loc, x.getType());
              Value e = math::ExpOp::create(
                  b, loc, arith::NegFOp::create(b, loc, x));
              return arith::DivFOp::create(
                  b, loc, one, arith::AddFOp::create(b, loc, one, e));
            }
            llvm_unreachable("unhandled unary op");
          });
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

struct CastLowering : OpConversionPattern<graph::CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*getTypeConverter(), op);
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    for (Type t : {from, to})
      if (!t.isIntOrFloat())
        return op.emitOpError() << "cannot cast element type " << t;
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return convertScalar(b, loc, args[0], from, to);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void graph_to_linalg::populateElementwisePatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<BinaryLowering<graph::AddOp>, BinaryLowering<graph::SubOp>,
               BinaryLowering<graph::MulOp>, BinaryLowering<graph::DivOp>,
               PowLowering, WhereLowering, CastLowering,
               UnaryLowering<graph::SqrtOp>, UnaryLowering<graph::ReluOp>,
               UnaryLowering<graph::SigmoidOp>, UnaryLowering<graph::TanhOp>,
               UnaryLowering<graph::ErfOp>, UnaryLowering<graph::ExpOp>>(
      converter, ctx);
}
