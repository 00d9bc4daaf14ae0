//===- CollectiveOps.cpp - dsc verifiers and bufferization ----------------===//
//
// Verification is split in two: `verify` checks what the op alone determines
// (form, axes, element types), `verifySymbolUses` what needs the grid (axis
// ranges and group sizes). Bufferization turns the tensor form into the
// buffer form with a fresh, contiguous identity-layout result buffer, so the
// lowering to the runtime can pass aligned pointers and element counts.
//
//===----------------------------------------------------------------------===//
#include "Collective/CollectiveOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::ds::coll;
using namespace mlir::bufferization;

int64_t mlir::ds::coll::groupSize(ArrayRef<int64_t> shape,
                                  ArrayRef<int16_t> axes) {
  int64_t size = 1;
  for (int16_t axis : axes) {
    if (ShapedType::isDynamic(shape[axis]))
      return ShapedType::kDynamic;
    size *= shape[axis];
  }
  return size;
}

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

namespace {
/// How a collective's result shape relates to its operand's: dimension
/// `multiplied` is multiplied by the group size, `divided` divided by it
/// (-1: none). Everything else is equal.
struct ShapeRule {
  int64_t multiplied = -1;
  int64_t divided = -1;
};
} // namespace

/// The element type and shape of the result of `op`, whichever form it has.
static ShapedType resultLikeType(Value out, Value result) {
  if (result)
    return cast<ShapedType>(result.getType());
  if (out)
    return cast<ShapedType>(out.getType());
  return {};
}

/// Checks the two forms: tensor in, tensor result, no `into`; or memref in,
/// memref `into`, no result. `input` may be null (recv).
static LogicalResult verifyForm(Operation *op, Value input, Value out,
                                Value result, bool hasOutput) {
  bool tensorForm = input ? isa<TensorType>(input.getType()) : !out;
  if (tensorForm) {
    if (out)
      return op->emitOpError("takes an `into` buffer only in buffer form "
                             "(memref operand)");
    if (hasOutput && !result)
      return op->emitOpError("in tensor form must have a result");
    return success();
  }
  if (result)
    return op->emitOpError("in buffer form has no result; the result is "
                           "written to the `into` buffer");
  if (hasOutput && !out)
    return op->emitOpError("in buffer form needs an `into` buffer");
  return success();
}

static LogicalResult verifyGroupOp(Operation *op, Value input, Value out,
                                   Value result, ArrayRef<int16_t> axes,
                                   ArrayRef<int64_t> tensorAxes) {
  if (failed(verifyForm(op, input, out, result, /*hasOutput=*/true)))
    return failure();
  auto inType = cast<ShapedType>(input.getType());
  ShapedType outType = resultLikeType(out, result);
  if (inType.getElementType() != outType.getElementType())
    return op->emitOpError("operand and result element types differ: ")
           << inType.getElementType() << " vs " << outType.getElementType();
  if (inType.getRank() != outType.getRank())
    return op->emitOpError("operand and result ranks differ: ")
           << inType.getRank() << " vs " << outType.getRank();
  for (int64_t axis : tensorAxes)
    if (axis >= inType.getRank())
      return op->emitOpError("tensor axis ")
             << axis << " is out of range for rank " << inType.getRank();
  llvm::SmallSet<int16_t, 4> seen;
  for (int16_t axis : axes) {
    if (axis < 0)
      return op->emitOpError("grid axis ") << axis << " is negative";
    if (!seen.insert(axis).second)
      return op->emitOpError("grid axis ") << axis << " appears twice";
  }
  return success();
}

/// Checks the grid symbol, the axes against its rank and, when the group size
/// is static, the result shape against `rule`.
static LogicalResult verifyGroupSymbol(Operation *op, FlatSymbolRefAttr grid,
                                       ArrayRef<int16_t> axes, Value input,
                                       Value out, Value result, ShapeRule rule,
                                       SymbolTableCollection &symbols) {
  auto gridOp = symbols.lookupNearestSymbolFrom<shard::GridOp>(op, grid);
  if (!gridOp)
    return op->emitOpError("grid ") << grid << " is not a shard.grid in scope";
  ArrayRef<int64_t> shape = gridOp.getShape();
  for (int16_t axis : axes)
    if (axis >= static_cast<int64_t>(shape.size()))
      return op->emitOpError("grid axis ")
             << axis << " is out of range for grid " << grid << " of rank "
             << shape.size();
  int64_t size = groupSize(shape, axes);
  if (ShapedType::isDynamic(size))
    return success();
  auto inType = cast<ShapedType>(input.getType());
  ShapedType outType = resultLikeType(out, result);
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    int64_t in = inType.getDimSize(d), res = outType.getDimSize(d);
    if (d == rule.divided && d == rule.multiplied) {
      if (!ShapedType::isDynamic(in) && in % size != 0)
        return op->emitOpError("dimension ")
               << d << " (size " << in
               << ") is not divisible by the group size " << size;
      continue;
    }
    int64_t expected = in;
    if (!ShapedType::isDynamic(in)) {
      if (d == rule.multiplied)
        expected = in * size;
      if (d == rule.divided) {
        if (in % size != 0)
          return op->emitOpError("dimension ")
                 << d << " (size " << in
                 << ") is not divisible by the group size " << size;
        expected = in / size;
      }
    }
    if (!ShapedType::isDynamic(expected) && !ShapedType::isDynamic(res) &&
        expected != res)
      return op->emitOpError("result dimension ")
             << d << " should be " << expected << " (operand " << in
             << ", group size " << size << "), found " << res;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Memory effects
//===----------------------------------------------------------------------===//

static void
getCollectiveEffects(Value input, Value out,
                     SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                         &effects) {
  effects.emplace_back(MemoryEffects::Read::get(),
                       CommunicatorResource::get());
  effects.emplace_back(MemoryEffects::Write::get(),
                       CommunicatorResource::get());
  if (input && isa<MemRefType>(input.getType()))
    effects.emplace_back(MemoryEffects::Read::get(),
                         SideEffects::DefaultResource::get());
  if (out)
    effects.emplace_back(MemoryEffects::Write::get(),
                         SideEffects::DefaultResource::get());
}

//===----------------------------------------------------------------------===//
// Bufferization
//===----------------------------------------------------------------------===//

/// The buffer of `tensor`, copied into a fresh identity-layout buffer if it
/// is not already contiguous with an identity layout.
static FailureOr<Value> getContiguousBuffer(RewriterBase &rewriter,
                                            Location loc, Value tensor,
                                            const BufferizationOptions &options,
                                            BufferizationState &state) {
  FailureOr<Value> buffer = getBuffer(rewriter, tensor, options, state);
  if (failed(buffer))
    return failure();
  auto type = cast<MemRefType>(buffer->getType());
  if (type.getLayout().isIdentity())
    return buffer;
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, *buffer, d));
  auto contiguous = MemRefType::get(type.getShape(), type.getElementType(),
                                    MemRefLayoutAttrInterface{},
                                    type.getMemorySpace());
  FailureOr<Value> copy =
      options.createAlloc(rewriter, loc, contiguous, dynamicSizes);
  if (failed(copy) ||
      failed(options.createMemCpy(rewriter, loc, *buffer, *copy)))
    return failure();
  return copy;
}

/// Allocates the identity-layout result buffer of a group collective whose
/// operand buffer is `in`; dynamic sizes follow `rule` with `size` ranks.
static FailureOr<Value> allocateResult(RewriterBase &rewriter, Location loc,
                                       TensorType resultType, Value in,
                                       ShapeRule rule, int64_t size,
                                       const BufferizationOptions &options) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < resultType.getRank(); ++d) {
    if (!resultType.isDynamicDim(d))
      continue;
    if (!in || ShapedType::isDynamic(size))
      return failure();
    Value dim = memref::DimOp::create(rewriter, loc, in, d);
    Value group = arith::ConstantIndexOp::create(rewriter, loc, size);
    if (d == rule.multiplied && d != rule.divided)
      dim = arith::MulIOp::create(rewriter, loc, dim, group);
    else if (d == rule.divided && d != rule.multiplied)
      dim = arith::DivUIOp::create(rewriter, loc, dim, group);
    dynamicSizes.push_back(dim);
  }
  auto type = MemRefType::get(resultType.getShape(),
                              resultType.getElementType());
  return options.createAlloc(rewriter, loc, type, dynamicSizes);
}

/// The group size of `op`'s grid and axes (kDynamic if unknown).
template <typename OpTy>
static int64_t getGroupSize(OpTy op) {
  SymbolTableCollection symbols;
  auto grid = symbols.lookupNearestSymbolFrom<shard::GridOp>(
      op.getOperation(), op.getGridAttr());
  if (!grid)
    return ShapedType::kDynamic;
  return groupSize(grid.getShape(), op.getGridAxes());
}

/// Bufferizes a group collective: `%r = op %t` becomes `op %in into %out`.
template <typename OpTy>
static LogicalResult bufferizeGroupOp(OpTy op, RewriterBase &rewriter,
                                      const BufferizationOptions &options,
                                      BufferizationState &state,
                                      ShapeRule rule) {
  Location loc = op.getLoc();
  FailureOr<Value> in =
      getContiguousBuffer(rewriter, loc, op.getInput(), options, state);
  if (failed(in))
    return failure();
  FailureOr<Value> out =
      allocateResult(rewriter, loc, cast<TensorType>(op.getResult().getType()),
                     *in, rule, getGroupSize(op), options);
  if (failed(out))
    return op.emitOpError("cannot allocate a result buffer of dynamic size "
                          "when the group size is not static");
  // The same op in buffer form: operands (input, into), no result, the same
  // properties except for the operand segments.
  OperationState bufferForm(loc, op->getName());
  bufferForm.addOperands({*in, *out});
  NamedAttrList properties(
      cast<DictionaryAttr>(op->getPropertiesAsAttribute()));
  properties.set("operandSegmentSizes", rewriter.getDenseI32ArrayAttr({1, 1}));
  bufferForm.propertiesAttr = properties.getDictionary(op->getContext());
  bufferForm.addAttributes(op->getDiscardableAttrDictionary().getValue());
  rewriter.create(bufferForm);
  replaceOpWithBufferizedValues(rewriter, op, *out);
  return success();
}

//===----------------------------------------------------------------------===//
// Per-op definitions
//===----------------------------------------------------------------------===//

#define DSC_GROUP_OP_COMMON(OP, AXES, RULE)                                    \
  LogicalResult OP::verify() {                                                 \
    return verifyGroupOp(*this, getInput(), getOut(), getResult(),             \
                         getGridAxes(), AXES);                                 \
  }                                                                            \
  LogicalResult OP::verifySymbolUses(SymbolTableCollection &symbols) {         \
    return verifyGroupSymbol(*this, getGridAttr(), getGridAxes(), getInput(),  \
                             getOut(), getResult(), RULE, symbols);            \
  }                                                                            \
  void OP::getEffects(                                                         \
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>      \
          &effects) {                                                          \
    getCollectiveEffects(getInput(), getOut(), effects);                       \
  }                                                                            \
  bool OP::bufferizesToMemoryRead(OpOperand &, const AnalysisState &) {        \
    return true;                                                               \
  }                                                                            \
  bool OP::bufferizesToMemoryWrite(OpOperand &, const AnalysisState &) {       \
    return false;                                                              \
  }                                                                            \
  bool OP::bufferizesToAllocation(Value) { return true; }                      \
  AliasingValueList OP::getAliasingValues(OpOperand &,                         \
                                          const AnalysisState &) {             \
    return {};                                                                 \
  }                                                                            \
  LogicalResult OP::bufferize(RewriterBase &rewriter,                          \
                              const BufferizationOptions &options,             \
                              BufferizationState &state) {                     \
    return bufferizeGroupOp(*this, rewriter, options, state, RULE);            \
  }

DSC_GROUP_OP_COMMON(AllReduceOp, ArrayRef<int64_t>{}, ShapeRule{})
DSC_GROUP_OP_COMMON(AllGatherOp, ArrayRef<int64_t>{static_cast<int64_t>(getGatherAxis())},
                    (ShapeRule{static_cast<int64_t>(getGatherAxis()), -1}))
DSC_GROUP_OP_COMMON(ReduceScatterOp, ArrayRef<int64_t>{static_cast<int64_t>(getScatterAxis())},
                    (ShapeRule{-1, static_cast<int64_t>(getScatterAxis())}))
DSC_GROUP_OP_COMMON(AllToAllOp,
                    (ArrayRef<int64_t>{static_cast<int64_t>(getSplitAxis()), static_cast<int64_t>(getConcatAxis())}),
                    (ShapeRule{static_cast<int64_t>(getConcatAxis()),
                               static_cast<int64_t>(getSplitAxis())}))
DSC_GROUP_OP_COMMON(BroadcastOp, ArrayRef<int64_t>{}, ShapeRule{})

#undef DSC_GROUP_OP_COMMON

//===----------------------------------------------------------------------===//
// SendOp / RecvOp
//===----------------------------------------------------------------------===//

LogicalResult SendOp::verify() { return success(); }
LogicalResult SendOp::verifySymbolUses(SymbolTableCollection &) {
  return success();
}
void SendOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getCollectiveEffects(getInput(), Value(), effects);
}
bool SendOp::bufferizesToMemoryRead(OpOperand &, const AnalysisState &) {
  return true;
}
bool SendOp::bufferizesToMemoryWrite(OpOperand &, const AnalysisState &) {
  return false;
}
bool SendOp::bufferizesToAllocation(Value) { return false; }
AliasingValueList SendOp::getAliasingValues(OpOperand &,
                                            const AnalysisState &) {
  return {};
}
LogicalResult SendOp::bufferize(RewriterBase &rewriter,
                                const BufferizationOptions &options,
                                BufferizationState &state) {
  FailureOr<Value> in =
      getContiguousBuffer(rewriter, getLoc(), getInput(), options, state);
  if (failed(in))
    return failure();
  rewriter.modifyOpInPlace(*this, [&] { getInputMutable().assign(*in); });
  return success();
}

LogicalResult RecvOp::verify() {
  if (getOut() && getResult())
    return emitOpError("has either a result (tensor form) or an `into` "
                       "buffer (buffer form), not both");
  if (!getOut() && !getResult())
    return emitOpError("needs a result type (tensor form) or an `into` "
                       "buffer (buffer form)");
  return success();
}
LogicalResult RecvOp::verifySymbolUses(SymbolTableCollection &) {
  return success();
}
void RecvOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getCollectiveEffects(Value(), getOut(), effects);
}
bool RecvOp::bufferizesToMemoryRead(OpOperand &, const AnalysisState &) {
  return false;
}
bool RecvOp::bufferizesToMemoryWrite(OpOperand &, const AnalysisState &) {
  return true;
}
bool RecvOp::bufferizesToAllocation(Value) { return true; }
AliasingValueList RecvOp::getAliasingValues(OpOperand &,
                                            const AnalysisState &) {
  return {};
}
LogicalResult RecvOp::bufferize(RewriterBase &rewriter,
                                const BufferizationOptions &options,
                                BufferizationState &) {
  auto type = cast<TensorType>(getResult().getType());
  FailureOr<Value> out = options.createAlloc(
      rewriter, getLoc(),
      MemRefType::get(type.getShape(), type.getElementType()), {});
  if (failed(out))
    return failure();
  RecvOp::create(rewriter, getLoc(), /*result=*/Type(), *out, getPeerAttr(),
                 getTagAttr(), getLevelAttr());
  replaceOpWithBufferizedValues(rewriter, *this, *out);
  return success();
}

#define GET_OP_CLASSES
#include "Collective/CollectiveOps.cpp.inc"
