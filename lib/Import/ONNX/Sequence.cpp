//===- Sequence.cpp - ONNX sequence ops, resolved at import ---------------===//
//
// ds has no sequence type: a sequence built inside the graph is a list of
// tensor values that exists only while importing. The ops that build and
// edit it (SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase,
// SplitToSequence) change the list; SequenceAt, SequenceLength and
// ConcatFromSequence turn it back into tensors. Positions must therefore be
// constants. Sequences that cross the graph boundary (graph inputs and
// outputs) are not supported.
//
// SplitToSequence at split sizes computed at run time has a known length but
// elements that are not representable (null); only SequenceLength reads
// such a sequence.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

bool mlir::ds::onnx_import::takesSequences(StringRef opType) {
  return llvm::is_contained({"SequenceInsert", "SequenceErase", "SequenceAt",
                             "SequenceLength", "ConcatFromSequence"},
                            opType);
}

/// Checks the number of inputs of an op whose input 0 is a sequence (which
/// NodeContext::hasInput does not see) and that inputs 1..required-1 are
/// present.
static LogicalResult expectSequenceOpInputs(NodeContext &ctx, unsigned min,
                                            unsigned max) {
  if (ctx.numInputs() < min || ctx.numInputs() > max)
    return ctx.invalid() << "expected " << min << " to " << max
                         << " inputs, found " << ctx.numInputs();
  for (unsigned i = 1; i < min; ++i)
    if (!ctx.hasInput(i))
      return ctx.invalid() << "required input " << i << " is missing";
  return success();
}

/// The sequence operand `i`, diagnosed when it is a tensor or missing.
static const SmallVector<Value> *sequenceOperand(NodeContext &ctx,
                                                 unsigned i) {
  const SmallVector<Value> *seq = ctx.sequenceInput(i);
  if (!seq) {
    if (ctx.hasInput(i))
      ctx.invalid() << "expected input " << i << " to be a sequence, found "
                    << ctx.input(i).getType();
    else
      ctx.unsupported() << "input " << i << " is not a sequence built in "
                           "this graph (ds imports sequences built by "
                           "sequence ops only)";
  }
  return seq;
}

/// The constant scalar position of input `i` in a sequence of `size`
/// elements, normalized; `inclusiveEnd` admits `size` (insertion).
static FailureOr<int64_t> position(NodeContext &ctx, unsigned i, int64_t size,
                                   bool inclusiveEnd) {
  RankedTensorType t = ctx.inputType(i);
  if (t.getNumElements() != 1 || !isa<IntegerType>(t.getElementType()))
    return ctx.invalid() << "expected a scalar integer position, found " << t;
  std::optional<SmallVector<int64_t>> v = ctx.constantInts(i);
  if (!v)
    return ctx.unsupported() << "the position '" << ctx.proto().input(i)
                             << "' is computed at run time; ds needs a "
                                "constant position";
  int64_t pos = (*v)[0];
  int64_t hi = inclusiveEnd ? size : size - 1;
  if (pos < -size || pos > hi)
    return ctx.invalid() << "position " << pos << " is outside [" << -size
                         << ", " << hi << "]";
  return pos < 0 ? pos + size : pos;
}

/// Element `i` of `seq`, diagnosed when it is not representable.
static FailureOr<Value> element(NodeContext &ctx,
                                const SmallVector<Value> &seq, int64_t i) {
  if (!seq[i])
    return ctx.unsupported() << "element " << i << " of the sequence was "
                                "split at sizes computed at run time";
  return seq[i];
}

LogicalResult mlir::ds::onnx_import::importSequenceEmpty(NodeContext &ctx) {
  if (failed(ctx.expectInputs(0, 0)))
    return failure();
  ctx.setSequenceOutput(0, {});
  return success();
}

LogicalResult
mlir::ds::onnx_import::importSequenceConstruct(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.invalid() << "expected at least one input";
  SmallVector<Value> elements;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      return ctx.invalid() << "input " << i << " may not be omitted";
    if (ctx.inputType(i).getElementType() !=
        ctx.inputType(0).getElementType())
      return ctx.invalid() << "expected inputs of one element type, found "
                           << ctx.inputType(0) << " and " << ctx.inputType(i);
    elements.push_back(ctx.input(i));
  }
  ctx.setSequenceOutput(0, std::move(elements));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSequenceInsert(NodeContext &ctx) {
  if (failed(expectSequenceOpInputs(ctx, 2, 3)))
    return failure();
  const SmallVector<Value> *seq = sequenceOperand(ctx, 0);
  if (!seq)
    return failure();
  int64_t size = seq->size(), pos = size;
  if (ctx.hasInput(2)) {
    FailureOr<int64_t> p = position(ctx, 2, size, /*inclusiveEnd=*/true);
    if (failed(p))
      return failure();
    pos = *p;
  }
  SmallVector<Value> elements(*seq);
  elements.insert(elements.begin() + pos, ctx.input(1));
  ctx.setSequenceOutput(0, std::move(elements));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSequenceErase(NodeContext &ctx) {
  if (failed(expectSequenceOpInputs(ctx, 1, 2)))
    return failure();
  const SmallVector<Value> *seq = sequenceOperand(ctx, 0);
  if (!seq)
    return failure();
  int64_t size = seq->size();
  if (size == 0)
    return ctx.invalid() << "cannot erase from an empty sequence";
  int64_t pos = size - 1;
  if (ctx.hasInput(1)) {
    FailureOr<int64_t> p = position(ctx, 1, size, /*inclusiveEnd=*/false);
    if (failed(p))
      return failure();
    pos = *p;
  }
  SmallVector<Value> elements(*seq);
  elements.erase(elements.begin() + pos);
  ctx.setSequenceOutput(0, std::move(elements));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSequenceAt(NodeContext &ctx) {
  if (failed(expectSequenceOpInputs(ctx, 2, 2)))
    return failure();
  const SmallVector<Value> *seq = sequenceOperand(ctx, 0);
  if (!seq)
    return failure();
  FailureOr<int64_t> pos =
      position(ctx, 1, seq->size(), /*inclusiveEnd=*/false);
  if (failed(pos))
    return failure();
  FailureOr<Value> value = element(ctx, *seq, *pos);
  if (failed(value))
    return failure();
  ctx.setOutput(0, *value);
  return success();
}

LogicalResult mlir::ds::onnx_import::importSequenceLength(NodeContext &ctx) {
  if (failed(expectSequenceOpInputs(ctx, 1, 1)))
    return failure();
  const SmallVector<Value> *seq = sequenceOperand(ctx, 0);
  if (!seq)
    return failure();
  Emitter e(ctx);
  ctx.setOutput(0, e.scalar(e.b.getI64Type(), seq->size()));
  return success();
}

LogicalResult
mlir::ds::onnx_import::importConcatFromSequence(NodeContext &ctx) {
  if (failed(expectSequenceOpInputs(ctx, 1, 1)))
    return failure();
  const SmallVector<Value> *seq = sequenceOperand(ctx, 0);
  if (!seq)
    return failure();
  if (!ctx.hasAttr("axis"))
    return ctx.invalid() << "the required attribute 'axis' is missing";
  int64_t axis = 0, newAxis = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.intAttr("new_axis", newAxis)))
    return failure();
  if (seq->empty())
    return ctx.invalid() << "cannot concatenate an empty sequence";
  SmallVector<Value> operands;
  for (int64_t i = 0, e = seq->size(); i < e; ++i) {
    FailureOr<Value> v = element(ctx, *seq, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  auto first = cast<RankedTensorType>(operands[0].getType());
  int64_t rank = first.getRank();
  // With new_axis, the axis counts in the result's rank + 1 dimensions.
  if (failed(ctx.normalizeAxis(axis, newAxis ? rank + 1 : rank)))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  if (newAxis) {
    shape.insert(shape.begin() + axis, 1);
    for (Value &v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> s(t.getShape());
      s.insert(s.begin() + axis, 1);
      FailureOr<Value> r = ctx.reshapeTo(v, s);
      if (failed(r))
        return failure();
      v = *r;
    }
  }
  int64_t total = 0;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != static_cast<int64_t>(shape.size()) ||
        t.getElementType() != first.getElementType())
      return ctx.invalid() << "expected elements of one rank and element "
                              "type, found "
                           << first << " and " << t;
    for (int64_t d = 0, e = shape.size(); d < e; ++d)
      if (d != axis && t.getDimSize(d) != shape[d])
        return ctx.invalid() << "expected elements that agree off the axis, "
                                "found "
                             << first << " and " << t;
    if (t.isDynamicDim(axis))
      return ctx.unsupported() << "the concatenated size must be static, "
                                  "found "
                               << t;
    total += t.getDimSize(axis);
  }
  shape[axis] = total;
  auto type = RankedTensorType::get(shape, first.getElementType());
  FailureOr<RankedTensorType> declared = ctx.outputType(0, type);
  if (failed(declared))
    return failure();
  if (*declared != type)
    return ctx.invalid() << "expected output type " << type << ", found "
                         << *declared;
  ctx.setOutput(0, dsg::ConcatOp::create(ctx.builder(), ctx.getLoc(), type,
                                         operands,
                                         ctx.builder().getI64IntegerAttr(axis)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importSplitToSequence(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  RankedTensorType in = ctx.inputType(0);
  int64_t axis = 0, keepdims = 1;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.intAttr("keepdims", keepdims)) ||
      failed(ctx.normalizeAxis(axis, in.getRank())))
    return failure();
  int64_t dim = in.getDimSize(axis);
  auto needStatic = [&]() -> LogicalResult {
    if (!in.hasStaticShape())
      return ctx.unsupported() << "ds splits static shapes only, found "
                               << in;
    return success();
  };
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  if (ctx.hasInput(1)) {
    RankedTensorType st = ctx.inputType(1);
    if (!isa<IntegerType>(st.getElementType()) || st.getRank() > 1)
      return ctx.invalid() << "expected a scalar or 1-D integer split, found "
                           << st;
    std::optional<SmallVector<int64_t>> split = ctx.constantInts(1);
    if (!split) {
      // Run-time sizes: the length is known when the split is a list.
      if (st.getRank() == 1 && !st.isDynamicDim(0)) {
        ctx.setSequenceOutput(0, SmallVector<Value>(st.getDimSize(0)));
        return success();
      }
      return ctx.unsupported() << "the split '" << ctx.proto().input(1)
                               << "' is computed at run time";
    }
    if (failed(needStatic()))
      return failure();
    if (st.getRank() == 1) {
      sizes = *split;
    } else {
      int64_t chunk = (*split)[0];
      if (chunk <= 0)
        return ctx.invalid() << "expected a positive split, found " << chunk;
      for (int64_t at = 0; at < dim; at += chunk)
        sizes.push_back(std::min(chunk, dim - at));
    }
  } else {
    if (failed(needStatic()))
      return failure();
    sizes.assign(dim, 1);
    squeeze = keepdims == 0;
  }
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return ctx.invalid() << "expected non-negative split sizes";
    sum += s;
  }
  if (sum != dim)
    return ctx.invalid() << "split sizes sum to " << sum << ", not " << dim;
  SmallVector<Value> elements;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    SmallVector<int64_t> shape(in.getShape());
    shape[axis] = s;
    Value part = dsg::SliceOp::create(
        ctx.builder(), ctx.getLoc(),
        RankedTensorType::get(shape, in.getElementType()), ctx.input(0),
        ctx.constantI64({offset}), ctx.constantI64({axis}),
        ctx.constantI64({1}));
    offset += s;
    if (squeeze) {
      shape.erase(shape.begin() + axis);
      FailureOr<Value> r = ctx.reshapeTo(part, shape);
      if (failed(r))
        return failure();
      part = *r;
    }
    elements.push_back(part);
  }
  ctx.setSequenceOutput(0, std::move(elements));
  return success();
}
