//===- Loop.cpp - ONNX Loop as scf.while ----------------------------------===//
//
// Loop runs its body while `iteration < M && cond` (either may be omitted),
// threading the loop-carried values through and stacking each iteration's
// scan outputs along a new leading axis. Trip count and condition are
// usually known only at run time, so the loop is not unrolled: it becomes
//
//   %r:... = scf.while (%i = 0, %c = cond, %v = v_initial..., %s = empty...)
//     before: scf.condition(%c && %i < M) %i, %c, %v..., %s...
//     after:  <body on (tensor(%i), true, %v...)>
//             scf.yield %i + 1, cond_out, v_out..., append(%s, scan_out)...
//
// with the body imported as dsg ops into the `after` region (values of the
// enclosing graph stay visible there; scf is legal through the dsg → linalg
// conversion). Each scan output is a tensor of dynamic leading size that
// grows by one row per iteration (tensor.empty + two tensor.insert_slice).
//
// Loop-carried values keep one type: a body output whose type differs only
// in static versus dynamic sizes is cast back to the carried type. Scan
// outputs need a static shape per iteration. Neither may have an unsigned
// element type (see isUnsigned). Sequence-typed loop-carried
// values (Loop-13's sequences, Loop-16's optionals) are diagnosed as
// unsupported where the graph declares them.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The single element of a one-element tensor input as a scalar, or failure
/// after diagnosing `what`.
static FailureOr<Value> scalarInput(NodeContext &ctx, unsigned i,
                                    Type elementType, StringRef what) {
  RankedTensorType type = ctx.inputType(i);
  if (type.getElementType() != elementType || !type.hasStaticShape() ||
      type.getNumElements() != 1)
    return ctx.invalid() << "expected " << what << " to be a one-element "
                         << elementType << " tensor, found " << type;
  FailureOr<Value> scalar = ctx.reshapeTo(ctx.input(i), {});
  if (failed(scalar))
    return failure();
  return tensor::ExtractOp::create(ctx.builder(), ctx.getLoc(), *scalar,
                                   ValueRange{})
      .getResult();
}

/// Loop-carried values and scan outputs cross the scf.while, whose types
/// the dsg → linalg conversion does not rewrite (it makes unsigned integers
/// signless only inside dsg ops).
static bool isUnsigned(Type type) {
  auto integer =
      dyn_cast<IntegerType>(cast<RankedTensorType>(type).getElementType());
  return integer && integer.isUnsigned();
}

/// `value` as a value of `type`: itself, or a tensor.cast where the two
/// differ only in which sizes are static. Null if they are incompatible.
static Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  if (!tensor::CastOp::areCastCompatible(value.getType(), type))
    return Value();
  return tensor::CastOp::create(b, loc, type, value);
}

LogicalResult mlir::ds::onnx_import::importLoop(NodeContext &ctx) {
  const onnx::AttributeProto *bodyAttr = ctx.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return ctx.invalid() << "the required graph attribute 'body' is missing";
  const onnx::GraphProto &body = bodyAttr->g();
  if (ctx.numInputs() < 2)
    return ctx.invalid() << "expected the inputs M and cond (either may be "
                            "empty), found "
                         << ctx.numInputs() << " inputs";
  unsigned numCarried = ctx.numInputs() - 2;
  if (body.input_size() != static_cast<int>(numCarried) + 2)
    return ctx.invalid() << "expected a body of " << numCarried + 2
                         << " inputs (iteration number, condition and "
                         << numCarried << " loop-carried values), found "
                         << body.input_size();
  int64_t numScans =
      static_cast<int64_t>(body.output_size()) - 1 - numCarried;
  if (numScans < 0)
    return ctx.invalid() << "expected a body of at least " << numCarried + 1
                         << " outputs (condition and " << numCarried
                         << " loop-carried values), found "
                         << body.output_size();
  if (ctx.numOutputs() > numCarried + numScans)
    return ctx.invalid() << "expected at most " << numCarried + numScans
                         << " outputs (" << numCarried
                         << " loop-carried values and " << numScans
                         << " scan outputs), found " << ctx.numOutputs();
  for (unsigned i = 0; i < numCarried; ++i)
    if (!ctx.hasInput(2 + i))
      return ctx.invalid() << "loop-carried input " << 2 + i
                           << " may not be omitted";

  OpBuilder &b = ctx.builder();
  Location loc = ctx.getLoc();
  MLIRContext *context = ctx.getContext();
  context->getOrLoadDialect<scf::SCFDialect>();
  context->getOrLoadDialect<tensor::TensorDialect>();
  context->getOrLoadDialect<arith::ArithDialect>();
  Type i64 = b.getI64Type(), i1 = b.getI1Type();

  // Trip count and initial condition; absent means unbounded / true.
  Value tripCount, cond;
  if (ctx.hasInput(0)) {
    FailureOr<Value> m = scalarInput(ctx, 0, i64, "the trip count M");
    if (failed(m))
      return failure();
    tripCount = *m;
  }
  if (ctx.hasInput(1)) {
    FailureOr<Value> c = scalarInput(ctx, 1, i1, "the condition");
    if (failed(c))
      return failure();
    cond = *c;
  } else {
    cond = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  }
  SmallVector<Type> carriedTypes;
  for (unsigned i = 0; i < numCarried; ++i) {
    carriedTypes.push_back(ctx.inputType(2 + i));
    if (isUnsigned(carriedTypes.back()))
      return ctx.unsupported() << "loop-carried value " << i << " has type "
                               << carriedTypes.back()
                               << "; ds carries signless and float tensors "
                                  "through loops only";
  }

  // The body, imported into a detached block whose arguments are the
  // iteration number and the loop-carried values (scan accumulators are
  // appended once their types are known). The region owns it until the
  // scf.while exists, and frees it if the import fails.
  auto region = std::make_unique<Region>();
  Block *after = new Block();
  region->push_back(after);
  auto discard = [&] { region->dropAllReferences(); };
  // The condition is forwarded too (always true here): One-Shot Bufferize
  // needs scf.condition's operands at the positions of the iter_args.
  Value iv = after->addArgument(i64, loc);
  after->addArgument(i1, loc);
  for (Type t : carriedTypes)
    after->addArgument(t, loc);

  SmallVector<Value> outs;
  SmallVector<Type> scanTypes;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(after);
    auto scalarType = [&](Type t) { return RankedTensorType::get({}, t); };
    SmallVector<Value> args;
    args.push_back(tensor::FromElementsOp::create(b, loc, scalarType(i64),
                                                  ValueRange{iv}));
    // The body runs only while the condition holds.
    args.push_back(dsg::ConstantOp::create(
        b, loc, scalarType(i1),
        DenseElementsAttr::get(scalarType(i1), true)));
    for (unsigned i = 0; i < numCarried; ++i)
      args.push_back(after->getArgument(2 + i));
    if (failed(ctx.parent.inlineSubgraph(body, args, outs, ctx))) {
      discard();
      return failure();
    }

    // The next condition.
    auto condType = cast<RankedTensorType>(outs[0].getType());
    if (!condType.getElementType().isInteger(1) ||
        !condType.hasStaticShape() || condType.getNumElements() != 1) {
      discard();
      return ctx.invalid() << "expected the body's first output to be a "
                              "one-element bool condition, found "
                           << condType;
    }
    FailureOr<Value> next = ctx.reshapeTo(outs[0], {});
    if (failed(next)) {
      discard();
      return failure();
    }
    Value nextCond =
        tensor::ExtractOp::create(b, loc, *next, ValueRange{}).getResult();

    SmallVector<Value> yielded;
    Value one = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1));
    yielded.push_back(arith::AddIOp::create(b, loc, iv, one));
    yielded.push_back(nextCond);
    for (unsigned i = 0; i < numCarried; ++i) {
      Value v = castTo(b, loc, outs[1 + i], carriedTypes[i]);
      if (!v) {
        discard();
        return ctx.unsupported()
               << "loop-carried value " << i << " changes type from "
               << carriedTypes[i] << " to " << outs[1 + i].getType()
               << " in the body; ds needs one type across iterations";
      }
      yielded.push_back(v);
    }

    // Scan outputs: acc (tensor<?xS>) grows by one row per iteration.
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t k = 0; k < numScans; ++k) {
      Value elem = outs[1 + numCarried + k];
      auto elemType = cast<RankedTensorType>(elem.getType());
      if (isUnsigned(elemType)) {
        discard();
        return ctx.unsupported() << "scan output " << k << " has type "
                                 << elemType
                                 << "; ds stacks signless and float tensors "
                                    "in loops only";
      }
      if (!elemType.hasStaticShape()) {
        discard();
        return ctx.unsupported() << "scan output " << k << " needs a static "
                                    "shape in every iteration, found "
                                 << elemType;
      }
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      llvm::append_range(shape, elemType.getShape());
      auto accType = RankedTensorType::get(shape, elemType.getElementType());
      scanTypes.push_back(accType);
      Value acc = after->addArgument(accType, loc);
      Value rows = tensor::DimOp::create(b, loc, acc, c0);
      Value grown = tensor::EmptyOp::create(
          b, loc, accType, ValueRange{arith::AddIOp::create(b, loc, rows, c1)});
      int64_t rank = accType.getRank();
      SmallVector<OpFoldResult> zeros(rank, b.getIndexAttr(0));
      SmallVector<OpFoldResult> unit(rank, b.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes{rows};
      for (int64_t d : elemType.getShape())
        sizes.push_back(b.getIndexAttr(d));
      grown = tensor::InsertSliceOp::create(b, loc, acc, grown, zeros, sizes,
                                            unit);
      SmallVector<OpFoldResult> at(zeros);
      at[0] = rows;
      sizes[0] = b.getIndexAttr(1);
      // Rank-reducing: the row drops the unit leading dimension.
      grown = tensor::InsertSliceOp::create(b, loc, elem, grown, at, sizes,
                                            unit);
      yielded.push_back(grown);
    }
    scf::YieldOp::create(b, loc, yielded);
  }

  // The loop: before region tests the condition and the trip count.
  SmallVector<Value> inits;
  inits.push_back(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  inits.push_back(cond);
  for (unsigned i = 0; i < numCarried; ++i)
    inits.push_back(ctx.input(2 + i));
  for (Type t : scanTypes)
    inits.push_back(tensor::EmptyOp::create(
        b, loc, t, ValueRange{arith::ConstantIndexOp::create(b, loc, 0)}));
  SmallVector<Type> resultTypes{i64, i1};
  llvm::append_range(resultTypes, carriedTypes);
  llvm::append_range(resultTypes, scanTypes);
  auto loop = scf::WhileOp::create(b, loc, resultTypes, inits);
  {
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Type> initTypes(ValueRange(inits).getTypes());
    SmallVector<Location> locs(inits.size(), loc);
    Block *before = b.createBlock(&loop.getBefore(), {}, initTypes, locs);
    Value go = before->getArgument(1);
    if (tripCount) {
      Value inRange =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                before->getArgument(0), tripCount);
      go = arith::AndIOp::create(b, loc, go, inRange);
    }
    scf::ConditionOp::create(b, loc, go, before->getArguments());
  }
  loop.getAfter().takeBody(*region);

  for (unsigned i = 0; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      ctx.setOutput(i, loop.getResult(2 + i));
  return success();
}
