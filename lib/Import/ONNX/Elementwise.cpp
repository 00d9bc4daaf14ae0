//===- Elementwise.cpp - ONNX elementwise ops to dsg ----------------------===//
#include "Importer.h"

#include "Graph/GraphOps.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The broadcast of the operands' shapes with `elementType`, or null when the
/// shapes do not broadcast (the verifier then reports it).
static RankedTensorType broadcastType(ArrayRef<Value> operands,
                                      Type elementType) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : operands)
    shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
  FailureOr<SmallVector<int64_t>> shape = dsg::broadcastShapes(shapes);
  if (failed(shape))
    return {};
  return RankedTensorType::get(*shape, elementType);
}

/// Before opset 7, binary ops broadcast only B, and only when `broadcast`
/// is 1: B's dimensions align with A's starting at `axis` (or at the end,
/// as NumPy does, when `axis` is absent). Reshaping B with trailing 1s turns
/// that into NumPy broadcasting. Returns the (possibly reshaped) B.
static FailureOr<Value> legacyBroadcastRhs(NodeContext &ctx, Value lhs,
                                           Value rhs) {
  int64_t broadcast = 0, axis = -1;
  bool hasAxis = ctx.hasAttr("axis");
  if (failed(ctx.intAttr("broadcast", broadcast)) ||
      failed(ctx.intAttr("axis", axis)))
    return failure();
  auto a = cast<RankedTensorType>(lhs.getType());
  auto b = cast<RankedTensorType>(rhs.getType());
  if (broadcast == 0) {
    if (a.getShape() != b.getShape())
      return ctx.invalid() << "expected operands of one shape without "
                              "'broadcast' (legacy opset "
                           << ctx.sinceVersion() << "), found " << a << " and "
                           << b;
    return rhs;
  }
  if (b.getRank() > a.getRank())
    return ctx.invalid() << "legacy broadcast needs B's rank (" << b.getRank()
                         << ") at most A's (" << a.getRank() << ")";
  if (!hasAxis)
    return rhs;
  if (failed(ctx.normalizeAxis(axis, a.getRank())))
    return failure();
  int64_t trailing = a.getRank() - axis - b.getRank();
  if (trailing < 0)
    return ctx.invalid() << "legacy broadcast axis " << axis << " leaves no "
                         << "room for B of rank " << b.getRank();
  if (trailing == 0)
    return rhs;
  SmallVector<int64_t> shape(b.getShape());
  shape.append(trailing, 1);
  return ctx.reshapeTo(rhs, shape);
}

template <typename OpTy> static LogicalResult importBinary(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  if (ctx.sinceVersion() < 7) {
    FailureOr<Value> b = legacyBroadcastRhs(ctx, lhs, rhs);
    if (failed(b))
      return failure();
    rhs = *b;
  } else if (ctx.hasAttr("broadcast") || ctx.hasAttr("axis")) {
    return ctx.invalid() << "unexpected legacy 'broadcast'/'axis' attribute "
                            "at opset "
                         << ctx.sinceVersion();
  }
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({lhs, rhs}, ctx.inputType(0).getElementType()));
  if (failed(type))
    return failure();
  ctx.setOutput(0, OpTy::create(ctx.builder(), ctx.getLoc(), *type, lhs, rhs));
  return success();
}

LogicalResult mlir::ds::onnx_import::importAdd(NodeContext &ctx) {
  return importBinary<dsg::AddOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importSub(NodeContext &ctx) {
  return importBinary<dsg::SubOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importMul(NodeContext &ctx) {
  return importBinary<dsg::MulOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importDiv(NodeContext &ctx) {
  return importBinary<dsg::DivOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importPow(NodeContext &ctx) {
  return importBinary<dsg::PowOp>(ctx);
}

/// Diagnoses an element type the op does not support: floats always pass,
/// non-boolean integers with `allowIntegers`.
static LogicalResult checkNumeric(NodeContext &ctx, Type elementType,
                                  bool allowIntegers) {
  if (isa<FloatType>(elementType) ||
      (allowIntegers && elementType.isInteger() && !elementType.isInteger(1)))
    return success();
  return ctx.unsupported() << "unsupported element type " << elementType;
}

template <typename OpTy, bool allowIntegers = false>
static LogicalResult importUnary(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  Value input = ctx.input(0);
  if (failed(checkNumeric(ctx, ctx.inputType(0).getElementType(),
                          allowIntegers)))
    return failure();
  // The result type is the operand's by definition; ONNX's inferred type
  // adds nothing.
  ctx.setOutput(
      0, OpTy::create(ctx.builder(), ctx.getLoc(), input.getType(), input));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSqrt(NodeContext &ctx) {
  return importUnary<dsg::SqrtOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importRelu(NodeContext &ctx) {
  return importUnary<dsg::ReluOp, /*allowIntegers=*/true>(ctx);
}
LogicalResult mlir::ds::onnx_import::importSigmoid(NodeContext &ctx) {
  return importUnary<dsg::SigmoidOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importTanh(NodeContext &ctx) {
  return importUnary<dsg::TanhOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importErf(NodeContext &ctx) {
  return importUnary<dsg::ErfOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importExp(NodeContext &ctx) {
  return importUnary<dsg::ExpOp>(ctx);
}

#define DS_UNARY(NAME, OP, INTS)                                               \
  LogicalResult mlir::ds::onnx_import::import##NAME(NodeContext &ctx) {        \
    return importUnary<dsg::OP, INTS>(ctx);                                    \
  }
DS_UNARY(Neg, NegOp, true)
DS_UNARY(Abs, AbsOp, true)
DS_UNARY(Sign, SignOp, true)
DS_UNARY(Reciprocal, ReciprocalOp, false)
DS_UNARY(Floor, FloorOp, false)
DS_UNARY(Ceil, CeilOp, false)
DS_UNARY(Round, RoundOp, false)
DS_UNARY(Log, LogOp, false)
DS_UNARY(Sin, SinOp, false)
DS_UNARY(Cos, CosOp, false)
DS_UNARY(Tan, TanOp, false)
DS_UNARY(Asin, AsinOp, false)
DS_UNARY(Acos, AcosOp, false)
DS_UNARY(Atan, AtanOp, false)
DS_UNARY(Sinh, SinhOp, false)
DS_UNARY(Cosh, CoshOp, false)
DS_UNARY(Asinh, AsinhOp, false)
DS_UNARY(Acosh, AcoshOp, false)
DS_UNARY(Atanh, AtanhOp, false)
DS_UNARY(Softplus, SoftplusOp, false)
DS_UNARY(Softsign, SoftsignOp, false)
DS_UNARY(HardSwish, HardSwishOp, false)
#undef DS_UNARY

/// Reads float attribute `name` with ONNX default `dflt` as an F32Attr.
static FailureOr<FloatAttr> floatParam(NodeContext &ctx, StringRef name,
                                       float dflt) {
  float value = dflt;
  if (failed(ctx.floatAttr(name, value)))
    return failure();
  return ctx.builder().getF32FloatAttr(value);
}

/// Activations with float parameters: `params` lists (name, ONNX default).
template <typename OpTy, size_t N>
static LogicalResult
importActivation(NodeContext &ctx,
                 const std::pair<const char *, float> (&params)[N]) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  Value input = ctx.input(0);
  if (failed(checkNumeric(ctx, ctx.inputType(0).getElementType(),
                          /*allowIntegers=*/false)))
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (auto [name, dflt] : params) {
    FailureOr<FloatAttr> attr = floatParam(ctx, name, dflt);
    if (failed(attr))
      return failure();
    attrs.push_back(ctx.builder().getNamedAttr(name, *attr));
  }
  ctx.setOutput(0, OpTy::create(ctx.builder(), ctx.getLoc(), input.getType(),
                                input, attrs));
  return success();
}

LogicalResult mlir::ds::onnx_import::importElu(NodeContext &ctx) {
  return importActivation<dsg::EluOp>(ctx, {{"alpha", 1.0f}});
}
LogicalResult mlir::ds::onnx_import::importSelu(NodeContext &ctx) {
  return importActivation<dsg::SeluOp>(
      ctx, {{"alpha", 1.67326319217681884765625f},
            {"gamma", 1.05070102214813232421875f}});
}
LogicalResult mlir::ds::onnx_import::importLeakyRelu(NodeContext &ctx) {
  return importActivation<dsg::LeakyReluOp>(ctx, {{"alpha", 0.01f}});
}
LogicalResult mlir::ds::onnx_import::importHardSigmoid(NodeContext &ctx) {
  return importActivation<dsg::HardSigmoidOp>(
      ctx, {{"alpha", 0.2f}, {"beta", 0.5f}});
}
LogicalResult mlir::ds::onnx_import::importThresholdedRelu(NodeContext &ctx) {
  return importActivation<dsg::ThresholdedReluOp>(ctx, {{"alpha", 1.0f}});
}

LogicalResult mlir::ds::onnx_import::importNot(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  if (!ctx.inputType(0).getElementType().isInteger(1))
    return ctx.unsupported() << "expected a boolean input";
  Value input = ctx.input(0);
  ctx.setOutput(0, dsg::NotOp::create(ctx.builder(), ctx.getLoc(),
                                      input.getType(), input));
  return success();
}

static RankedTensorType boolLike(RankedTensorType type) {
  return RankedTensorType::get(type.getShape(),
                               IntegerType::get(type.getContext(), 1));
}

LogicalResult mlir::ds::onnx_import::importIsNaN(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) ||
      failed(checkNumeric(ctx, ctx.inputType(0).getElementType(), false)))
    return failure();
  ctx.setOutput(0, dsg::IsNaNOp::create(ctx.builder(), ctx.getLoc(),
                                        boolLike(ctx.inputType(0)),
                                        ctx.input(0)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importIsInf(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)) ||
      failed(checkNumeric(ctx, ctx.inputType(0).getElementType(), false)))
    return failure();
  int64_t negative = 1, positive = 1;
  if (failed(ctx.intAttr("detect_negative", negative)) ||
      failed(ctx.intAttr("detect_positive", positive)))
    return failure();
  ctx.setOutput(0, dsg::IsInfOp::create(ctx.builder(), ctx.getLoc(),
                                        boolLike(ctx.inputType(0)),
                                        ctx.input(0), negative != 0,
                                        positive != 0));
  return success();
}

/// Variadic ops (Max, Min, Sum, Mean) folded pairwise, left to right. The
/// last op gets the ONNX output type. Returns the folded value.
template <typename OpTy>
static FailureOr<Value> foldVariadic(NodeContext &ctx, bool allowIntegers,
                                     bool last) {
  if (ctx.numInputs() < 1)
    return ctx.invalid() << "expected at least one input";
  if (failed(ctx.expectInputs(ctx.numInputs(), ctx.numInputs())))
    return failure();
  Type elementType = ctx.inputType(0).getElementType();
  if (failed(checkNumeric(ctx, elementType, allowIntegers)))
    return failure();
  Value acc = ctx.input(0);
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    RankedTensorType type = broadcastType({acc, next}, elementType);
    if (last && i + 1 == ctx.numInputs()) {
      FailureOr<RankedTensorType> out = ctx.outputType(0, type);
      if (failed(out))
        return failure();
      type = *out;
    }
    if (!type)
      return ctx.invalid() << "input shapes do not broadcast";
    acc = OpTy::create(ctx.builder(), ctx.getLoc(), type, acc, next);
  }
  return acc;
}

/// Max, Min and Sum: the pairwise fold is the whole op.
template <typename OpTy>
static LogicalResult importFolded(NodeContext &ctx, bool allowIntegers) {
  FailureOr<Value> v = foldVariadic<OpTy>(ctx, allowIntegers, true);
  if (failed(v))
    return failure();
  ctx.setOutput(0, *v);
  return success();
}

LogicalResult mlir::ds::onnx_import::importMax(NodeContext &ctx) {
  return importFolded<dsg::MaxOp>(ctx, true);
}
LogicalResult mlir::ds::onnx_import::importMin(NodeContext &ctx) {
  return importFolded<dsg::MinOp>(ctx, true);
}
LogicalResult mlir::ds::onnx_import::importSum(NodeContext &ctx) {
  return importFolded<dsg::AddOp>(ctx, false);
}
LogicalResult mlir::ds::onnx_import::importMean(NodeContext &ctx) {
  FailureOr<Value> sum = foldVariadic<dsg::AddOp>(ctx, false, false);
  if (failed(sum))
    return failure();
  if (ctx.numInputs() == 1) {
    ctx.setOutput(0, *sum);
    return success();
  }
  auto sumType = cast<RankedTensorType>(sum->getType());
  Type elementType = sumType.getElementType();
  auto scalarType = RankedTensorType::get({}, elementType);
  Value count = dsg::ConstantOp::create(
      ctx.builder(), ctx.getLoc(),
      DenseElementsAttr::get(
          scalarType, FloatAttr::get(elementType, double(ctx.numInputs()))));
  FailureOr<RankedTensorType> type = ctx.outputType(0, sumType);
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::DivOp::create(ctx.builder(), ctx.getLoc(), *type,
                                      *sum, count));
  return success();
}

LogicalResult mlir::ds::onnx_import::importMod(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  int64_t fmod = 0;
  if (failed(ctx.intAttr("fmod", fmod)))
    return failure();
  Type elementType = ctx.inputType(0).getElementType();
  if (failed(checkNumeric(ctx, elementType, /*allowIntegers=*/true)))
    return failure();
  if (isa<FloatType>(elementType) && !fmod)
    return ctx.invalid() << "floating-point Mod requires fmod = 1";
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, broadcastType({lhs, rhs}, elementType));
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::ModOp::create(ctx.builder(), ctx.getLoc(), *type, lhs,
                                      rhs, fmod != 0));
  return success();
}

LogicalResult mlir::ds::onnx_import::importBitShift(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  std::string direction;
  if (failed(ctx.stringAttr("direction", direction)))
    return failure();
  if (direction != "LEFT" && direction != "RIGHT")
    return ctx.invalid() << "expected direction LEFT or RIGHT, found '"
                         << direction << "'";
  Type elementType = ctx.inputType(0).getElementType();
  if (!elementType.isUnsignedInteger())
    return ctx.unsupported() << "expected an unsigned integer element type, "
                                "found "
                             << elementType;
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, broadcastType({lhs, rhs}, elementType));
  if (failed(type))
    return failure();
  Value result =
      direction == "LEFT"
          ? dsg::ShiftLeftOp::create(ctx.builder(), ctx.getLoc(), *type, lhs,
                                     rhs)
                .getResult()
          : dsg::ShiftRightOp::create(ctx.builder(), ctx.getLoc(), *type, lhs,
                                      rhs)
                .getResult();
  ctx.setOutput(0, result);
  return success();
}

/// Comparisons: both operands of one (non-boolean unless `allowBool`)
/// element type; the result is i1.
template <typename OpTy>
static LogicalResult importCompare(NodeContext &ctx, bool allowBool) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  Type elementType = ctx.inputType(0).getElementType();
  if (!(allowBool && elementType.isInteger(1)) &&
      failed(checkNumeric(ctx, elementType, /*allowIntegers=*/true)))
    return failure();
  if (ctx.inputType(1).getElementType() != elementType)
    return ctx.invalid() << "expected operands of one element type";
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({lhs, rhs}, IntegerType::get(ctx.getContext(), 1)));
  if (failed(type))
    return failure();
  ctx.setOutput(0, OpTy::create(ctx.builder(), ctx.getLoc(), *type, lhs, rhs));
  return success();
}

LogicalResult mlir::ds::onnx_import::importEqual(NodeContext &ctx) {
  return importCompare<dsg::EqualOp>(ctx, /*allowBool=*/true);
}
LogicalResult mlir::ds::onnx_import::importLess(NodeContext &ctx) {
  return importCompare<dsg::LessOp>(ctx, false);
}
LogicalResult mlir::ds::onnx_import::importLessOrEqual(NodeContext &ctx) {
  return importCompare<dsg::LessEqualOp>(ctx, false);
}
LogicalResult mlir::ds::onnx_import::importGreater(NodeContext &ctx) {
  return importCompare<dsg::GreaterOp>(ctx, false);
}
LogicalResult mlir::ds::onnx_import::importGreaterOrEqual(NodeContext &ctx) {
  return importCompare<dsg::GreaterEqualOp>(ctx, false);
}

template <typename OpTy> static LogicalResult importLogical(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  if (!ctx.inputType(0).getElementType().isInteger(1) ||
      !ctx.inputType(1).getElementType().isInteger(1))
    return ctx.unsupported() << "expected boolean inputs";
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({lhs, rhs}, IntegerType::get(ctx.getContext(), 1)));
  if (failed(type))
    return failure();
  ctx.setOutput(0, OpTy::create(ctx.builder(), ctx.getLoc(), *type, lhs, rhs));
  return success();
}

LogicalResult mlir::ds::onnx_import::importAnd(NodeContext &ctx) {
  return importLogical<dsg::AndOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importOr(NodeContext &ctx) {
  return importLogical<dsg::OrOp>(ctx);
}
LogicalResult mlir::ds::onnx_import::importXor(NodeContext &ctx) {
  return importLogical<dsg::XorOp>(ctx);
}

static LogicalResult castTo(NodeContext &ctx, Type elementType) {
  Value input = ctx.input(0);
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), elementType);
  ctx.setOutput(0,
                dsg::CastOp::create(ctx.builder(), ctx.getLoc(), type, input));
  return success();
}

LogicalResult mlir::ds::onnx_import::importCast(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  if (!ctx.hasAttr("to"))
    return ctx.invalid() << "missing required attribute 'to'";
  int64_t to = 0;
  if (failed(ctx.intAttr("to", to)))
    return failure();
  Type elementType = convertElementType(ctx.getContext(), to);
  if (!elementType)
    return ctx.unsupported()
           << "unsupported target element type " << dataTypeName(to);
  return castTo(ctx, elementType);
}

LogicalResult mlir::ds::onnx_import::importCastLike(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  return castTo(ctx, ctx.inputType(1).getElementType());
}

LogicalResult mlir::ds::onnx_import::importWhere(NodeContext &ctx) {
  if (failed(ctx.expectInputs(3, 3)))
    return failure();
  Value cond = ctx.input(0), x = ctx.input(1), y = ctx.input(2);
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, broadcastType({cond, x, y}, ctx.inputType(1).getElementType()));
  if (failed(type))
    return failure();
  ctx.setOutput(
      0, dsg::WhereOp::create(ctx.builder(), ctx.getLoc(), *type, cond, x, y));
  return success();
}
