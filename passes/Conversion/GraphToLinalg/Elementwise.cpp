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
          if constexpr (std::is_same_v<OpTy, graph::MaxOp>)
            return maxScalar(b, loc, x, y, isUnsigned);
          if constexpr (std::is_same_v<OpTy, graph::MinOp>)
            return minScalar(b, loc, x, y, isUnsigned);
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

Value floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoid(OpBuilder &b, Location loc, Value x, double alpha,
                  double beta) {
  Type t = x.getType();
  Value y = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, floatConst(b, loc, t, alpha), x),
      floatConst(b, loc, t, beta));
  y = arith::MinimumFOp::create(b, loc, y, oneOf(b, loc, t));
  return arith::MaximumFOp::create(b, loc, y, zeroOf(b, loc, t));
}

/// The integer forms of the unary ops that allow integers.
template <typename OpTy>
Value integerUnary(OpBuilder &b, Location loc, Value x, bool isUnsigned) {
  Type t = x.getType();
  if constexpr (std::is_same_v<OpTy, graph::ReluOp>)
    return isUnsigned ? x
                      : maxScalar(b, loc, x, zeroOf(b, loc, t),
                                  /*isUnsigned=*/false);
  if constexpr (std::is_same_v<OpTy, graph::NegOp>)
    return arith::SubIOp::create(b, loc, zeroOf(b, loc, t), x);
  if constexpr (std::is_same_v<OpTy, graph::AbsOp>)
    return isUnsigned ? x : Value(math::AbsIOp::create(b, loc, x));
  if constexpr (std::is_same_v<OpTy, graph::SignOp>) {
    Value zero = zeroOf(b, loc, t);
    Value one = oneOf(b, loc, t);
    if (isUnsigned) {
      Value nz =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
      return arith::SelectOp::create(b, loc, nz, one, zero);
    }
    Value minusOne =
        arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, -1));
    Value pos =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
    return arith::SelectOp::create(
        b, loc, pos, one, arith::SelectOp::create(b, loc, neg, minusOne, zero));
  }
  llvm_unreachable("unary op without an integer form");
}

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
          if (!isa<FloatType>(elem))
            return integerUnary<OpTy>(b, loc, args[0],
                                      elem.isUnsignedInteger());
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
            if constexpr (std::is_same_v<OpTy, graph::NegOp>)
              return arith::NegFOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AbsOp>)
              return math::AbsFOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::SignOp>) {
              // x itself for 0 and NaN.
              Type t = x.getType();
              Value zero = zeroOf(b, loc, t);
              Value pos = arith::CmpFOp::create(
                  b, loc, arith::CmpFPredicate::OGT, x, zero);
              Value neg = arith::CmpFOp::create(
                  b, loc, arith::CmpFPredicate::OLT, x, zero);
              Value r = arith::SelectOp::create(b, loc, neg,
                                                floatConst(b, loc, t, -1.0), x);
              return arith::SelectOp::create(b, loc, pos, oneOf(b, loc, t), r);
            }
            if constexpr (std::is_same_v<OpTy, graph::ReciprocalOp>)
              return arith::DivFOp::create(b, loc, oneOf(b, loc, x.getType()),
                                           x);
            if constexpr (std::is_same_v<OpTy, graph::FloorOp>)
              return math::FloorOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::CeilOp>)
              return math::CeilOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::RoundOp>)
              return math::RoundEvenOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::LogOp>)
              return math::LogOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::SinOp>)
              return math::SinOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::CosOp>)
              return math::CosOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::TanOp>)
              return math::TanOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AsinOp>)
              return math::AsinOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AcosOp>)
              return math::AcosOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AtanOp>)
              return math::AtanOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::SinhOp>)
              return math::SinhOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::CoshOp>)
              return math::CoshOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AsinhOp>)
              return math::AsinhOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AcoshOp>)
              return math::AcoshOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::AtanhOp>)
              return math::AtanhOp::create(b, loc, x);
            if constexpr (std::is_same_v<OpTy, graph::SoftplusOp>) {
              // log(exp(x) + 1), as ONNX specifies it.
              Value e = math::ExpOp::create(b, loc, x);
              return math::LogOp::create(
                  b, loc,
                  arith::AddFOp::create(b, loc, e, oneOf(b, loc, x.getType())));
            }
            if constexpr (std::is_same_v<OpTy, graph::SoftsignOp>) {
              Value d = arith::AddFOp::create(
                  b, loc, oneOf(b, loc, x.getType()),
                  math::AbsFOp::create(b, loc, x));
              return arith::DivFOp::create(b, loc, x, d);
            }
            if constexpr (std::is_same_v<OpTy, graph::HardSwishOp>)
              return arith::MulFOp::create(
                  b, loc, x, hardSigmoid(b, loc, x, 1.0 / 6.0, 0.5));
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
// Parameterized activations
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct ActivationLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*this->getTypeConverter(), op);
    Type elem = op.getType().getElementType();
    double alpha = op.getAlpha().convertToDouble();
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return computeIn(b, loc, elem, args, [&](ValueRange w) -> Value {
            Value x = w[0];
            Type t = x.getType();
            Value zero = zeroOf(b, loc, t);
            Value a = floatConst(b, loc, t, alpha);
            auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) -> Value {
              return arith::CmpFOp::create(b, loc, p, l, r);
            };
            // One statement per created op: the order of evaluating call
            // arguments differs between compilers (GCC right to left, clang
            // left to right), and the IR must not.
            if constexpr (std::is_same_v<OpTy, graph::EluOp>) {
              Value e = math::ExpOp::create(b, loc, x);
              Value em1 = arith::SubFOp::create(b, loc, e, oneOf(b, loc, t));
              Value scaled = arith::MulFOp::create(b, loc, a, em1);
              Value negative = cmp(arith::CmpFPredicate::OLT, x, zero);
              return arith::SelectOp::create(b, loc, negative, scaled, x);
            }
            if constexpr (std::is_same_v<OpTy, graph::SeluOp>) {
              Value g = floatConst(b, loc, t,
                                   op.getGamma().convertToDouble());
              Value neg = arith::SubFOp::create(
                  b, loc,
                  arith::MulFOp::create(b, loc, a,
                                        math::ExpOp::create(b, loc, x)),
                  a);
              Value v = arith::SelectOp::create(
                  b, loc, cmp(arith::CmpFPredicate::OLE, x, zero), neg, x);
              return arith::MulFOp::create(b, loc, g, v);
            }
            if constexpr (std::is_same_v<OpTy, graph::LeakyReluOp>) {
              Value scaled = arith::MulFOp::create(b, loc, a, x);
              Value negative = cmp(arith::CmpFPredicate::OLT, x, zero);
              return arith::SelectOp::create(b, loc, negative, scaled, x);
            }
            if constexpr (std::is_same_v<OpTy, graph::HardSigmoidOp>)
              return hardSigmoid(b, loc, x, alpha,
                                 op.getBeta().convertToDouble());
            if constexpr (std::is_same_v<OpTy, graph::ThresholdedReluOp>)
              return arith::SelectOp::create(
                  b, loc, cmp(arith::CmpFPredicate::OGT, x, a), x, zero);
            llvm_unreachable("unhandled activation");
          });
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Ops with a boolean result or boolean operands, Mod, bit shifts
//===----------------------------------------------------------------------===//

/// Lowers `OpTy` with `body(b, loc, scalars, op)`, where scalars are the
/// converted (signless) operand elements.
template <typename OpTy>
struct ScalarLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedResultType(*this->getTypeConverter(), op);
    Type in = elementTypeOf(op->getOperand(0).getType());
    FailureOr<Value> result = buildElementwise(
        rewriter, op, type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return body(b, loc, args, op, in);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }

  static Value body(OpBuilder &b, Location loc, ValueRange args, OpTy op,
                    Type in) {
    bool isUnsigned = in.isUnsignedInteger();
    if constexpr (std::is_same_v<OpTy, graph::NotOp>)
      return arith::XOrIOp::create(
          b, loc, args[0],
          arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
    if constexpr (std::is_same_v<OpTy, graph::AndOp>)
      return arith::AndIOp::create(b, loc, args[0], args[1]);
    if constexpr (std::is_same_v<OpTy, graph::OrOp>)
      return arith::OrIOp::create(b, loc, args[0], args[1]);
    if constexpr (std::is_same_v<OpTy, graph::XorOp>)
      return arith::XOrIOp::create(b, loc, args[0], args[1]);
    if constexpr (std::is_same_v<OpTy, graph::IsNaNOp>) {
      Value x = convertScalar(b, loc, args[0], in, computeType(in));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    }
    if constexpr (std::is_same_v<OpTy, graph::IsInfOp>) {
      Type ct = computeType(in);
      Value x = convertScalar(b, loc, args[0], in, ct);
      auto inf = [&](bool negative) -> Value {
        APFloat v = APFloat::getInf(cast<FloatType>(ct).getFloatSemantics(),
                                    negative);
        return arith::ConstantOp::create(b, loc, ct, b.getFloatAttr(ct, v));
      };
      Value r = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
      if (op.getDetectPositive())
        r = arith::OrIOp::create(
            b, loc, r,
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                  inf(false)));
      if (op.getDetectNegative())
        r = arith::OrIOp::create(
            b, loc, r,
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                  inf(true)));
      return r;
    }
    if constexpr (std::is_same_v<OpTy, graph::ModOp>) {
      Value x = args[0], y = args[1];
      if (isa<FloatType>(in))
        return computeIn(b, loc, in, args, [&](ValueRange w) -> Value {
          return arith::RemFOp::create(b, loc, w[0], w[1]);
        });
      if (isUnsigned)
        return arith::RemUIOp::create(b, loc, x, y);
      Value r = arith::RemSIOp::create(b, loc, x, y);
      if (op.getFmod())
        return r;
      // Floor modulo: a nonzero remainder whose sign differs from the
      // divisor's moves by one divisor.
      Value zero = zeroOf(b, loc, x.getType());
      Value nonzero =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
      Value rNeg =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
      Value yNeg =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
      Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
      Value fix = arith::AndIOp::create(b, loc, nonzero, differ);
      return arith::SelectOp::create(b, loc, fix,
                                     arith::AddIOp::create(b, loc, r, y), r);
    }
    if constexpr (std::is_same_v<OpTy, graph::ShiftLeftOp> ||
                  std::is_same_v<OpTy, graph::ShiftRightOp>) {
      Value x = args[0], y = args[1];
      Type t = x.getType();
      unsigned width = t.getIntOrFloatBitWidth();
      Value w = arith::ConstantOp::create(b, loc, t,
                                          b.getIntegerAttr(t, width - 1));
      // The shift amount as unsigned; past the width, clamp to width - 1
      // (exact for arithmetic right shifts), and give 0 for logical ones.
      Value amount = arith::MinUIOp::create(b, loc, y, w);
      if (std::is_same_v<OpTy, graph::ShiftRightOp> && !isUnsigned)
        return arith::ShRSIOp::create(b, loc, x, amount);
      Value tooFar =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, y, w);
      Value shifted;
      if constexpr (std::is_same_v<OpTy, graph::ShiftLeftOp>)
        shifted = arith::ShLIOp::create(b, loc, x, amount);
      else
        shifted = arith::ShRUIOp::create(b, loc, x, amount);
      return arith::SelectOp::create(b, loc, tooFar, zeroOf(b, loc, t),
                                     shifted);
    }
    // Comparisons.
    Value x = args[0], y = args[1];
    if (isa<FloatType>(in)) {
      Type ct = computeType(in);
      x = convertScalar(b, loc, x, in, ct);
      y = convertScalar(b, loc, y, in, ct);
      arith::CmpFPredicate p;
      if constexpr (std::is_same_v<OpTy, graph::EqualOp>)
        p = arith::CmpFPredicate::OEQ;
      else if constexpr (std::is_same_v<OpTy, graph::LessOp>)
        p = arith::CmpFPredicate::OLT;
      else if constexpr (std::is_same_v<OpTy, graph::LessEqualOp>)
        p = arith::CmpFPredicate::OLE;
      else if constexpr (std::is_same_v<OpTy, graph::GreaterOp>)
        p = arith::CmpFPredicate::OGT;
      else
        p = arith::CmpFPredicate::OGE;
      return arith::CmpFOp::create(b, loc, p, x, y);
    }
    arith::CmpIPredicate p;
    using P = arith::CmpIPredicate;
    if constexpr (std::is_same_v<OpTy, graph::EqualOp>)
      p = P::eq;
    else if constexpr (std::is_same_v<OpTy, graph::LessOp>)
      p = isUnsigned ? P::ult : P::slt;
    else if constexpr (std::is_same_v<OpTy, graph::LessEqualOp>)
      p = isUnsigned ? P::ule : P::sle;
    else if constexpr (std::is_same_v<OpTy, graph::GreaterOp>)
      p = isUnsigned ? P::ugt : P::sgt;
    else
      p = isUnsigned ? P::uge : P::sge;
    return arith::CmpIOp::create(b, loc, p, x, y);
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
  patterns.add<BinaryLowering<graph::MaxOp>, BinaryLowering<graph::MinOp>>(
      converter, ctx);
  patterns.add<UnaryLowering<graph::NegOp>, UnaryLowering<graph::AbsOp>, UnaryLowering<graph::SignOp>, UnaryLowering<graph::ReciprocalOp>, UnaryLowering<graph::FloorOp>, UnaryLowering<graph::CeilOp>, UnaryLowering<graph::RoundOp>, UnaryLowering<graph::LogOp>, UnaryLowering<graph::SinOp>, UnaryLowering<graph::CosOp>, UnaryLowering<graph::TanOp>, UnaryLowering<graph::AsinOp>, UnaryLowering<graph::AcosOp>, UnaryLowering<graph::AtanOp>, UnaryLowering<graph::SinhOp>, UnaryLowering<graph::CoshOp>, UnaryLowering<graph::AsinhOp>, UnaryLowering<graph::AcoshOp>, UnaryLowering<graph::AtanhOp>, UnaryLowering<graph::SoftplusOp>, UnaryLowering<graph::SoftsignOp>, UnaryLowering<graph::HardSwishOp>>(converter, ctx);
  patterns.add<ActivationLowering<graph::EluOp>, ActivationLowering<graph::SeluOp>, ActivationLowering<graph::LeakyReluOp>, ActivationLowering<graph::HardSigmoidOp>, ActivationLowering<graph::ThresholdedReluOp>>(converter, ctx);
  patterns.add<ScalarLowering<graph::NotOp>, ScalarLowering<graph::AndOp>, ScalarLowering<graph::OrOp>, ScalarLowering<graph::XorOp>, ScalarLowering<graph::IsNaNOp>, ScalarLowering<graph::IsInfOp>, ScalarLowering<graph::ModOp>, ScalarLowering<graph::ShiftLeftOp>, ScalarLowering<graph::ShiftRightOp>, ScalarLowering<graph::EqualOp>, ScalarLowering<graph::LessOp>, ScalarLowering<graph::LessEqualOp>, ScalarLowering<graph::GreaterOp>, ScalarLowering<graph::GreaterEqualOp>>(converter, ctx);
}
