//===- Tensor.cpp - ONNX constants and data movement to dsg ---------------===//
#include "DynamicShapes.h"
#include "Importer.h"

#include "Graph/GraphOps.h"

#include "llvm/Support/InterleavedRange.h"

#include <algorithm>
#include <cstdlib>

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

//===----------------------------------------------------------------------===//
// Constant, Identity
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importConstant(NodeContext &ctx) {
  if (failed(ctx.expectInputs(0, 0)))
    return failure();
  const onnx::NodeProto &node = ctx.proto();
  if (node.attribute_size() != 1)
    return ctx.invalid() << "expected exactly one value attribute, found "
                         << node.attribute_size() << " attributes";
  const onnx::AttributeProto &a = node.attribute(0);
  OpBuilder &b = ctx.builder();
  ElementsAttr value;
  using A = onnx::AttributeProto;
  if (a.name() == "value" && a.type() == A::TENSOR) {
    FailureOr<ElementsAttr> tensor =
        importTensor(a.t(), ctx.describe() + ": value", ctx.getLoc(),
                     ctx.parent.tensorEnv());
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (a.name() == "value_float" && a.type() == A::FLOAT) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   a.f());
  } else if (a.name() == "value_floats" && a.type() == A::FLOATS) {
    SmallVector<float> values(a.floats().begin(), a.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())},
                              b.getF32Type()),
        ArrayRef<float>(values));
  } else if (a.name() == "value_int" && a.type() == A::INT) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   a.i());
  } else if (a.name() == "value_ints" && a.type() == A::INTS) {
    SmallVector<int64_t> values(a.ints().begin(), a.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(values.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(values));
  } else if (a.name() == "sparse_value" || a.name() == "value_string" ||
             a.name() == "value_strings") {
    return ctx.unsupported()
           << "attribute '" << a.name() << "' is not supported";
  } else {
    return ctx.invalid() << "unexpected attribute '" << a.name() << "' of type "
                         << A::AttributeType_Name(a.type());
  }
  ctx.setOutput(
      0, dsg::ConstantOp::create(
             b, ctx.getLoc(), cast<RankedTensorType>(value.getType()), value));
  return success();
}

LogicalResult mlir::ds::onnx_import::importIdentity(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  ctx.setOutput(0, ctx.input(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape, Size, ConstantOfShape: folded to constants when shapes are static
//===----------------------------------------------------------------------===//

/// Shape (with opset 15's start and end, clamped to [0, rank]).
LogicalResult mlir::ds::onnx_import::importShape(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  int64_t rank = input.getRank();
  int64_t start = 0, end = rank;
  if (failed(ctx.intAttr("start", start)) || failed(ctx.intAttr("end", end)))
    return failure();
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  ArrayRef<int64_t> dims =
      input.getShape().slice(start, std::max<int64_t>(end - start, 0));
  if (ShapedType::isDynamicShape(dims))
    return importDynamicShape(ctx, start, end);
  ctx.setOutput(0, ctx.constantI64(dims));
  return success();
}

/// Size: the element count, a scalar.
LogicalResult mlir::ds::onnx_import::importSize(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  if (!input.hasStaticShape())
    return importDynamicSize(ctx);
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get({}, b.getI64Type());
  auto value = DenseIntElementsAttr::get(type, {input.getNumElements()});
  ctx.setOutput(0, dsg::ConstantOp::create(b, ctx.getLoc(), type, value));
  return success();
}

/// ConstantOfShape with a constant shape: a splat constant.
LogicalResult mlir::ds::onnx_import::importConstantOfShape(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  std::optional<SmallVector<int64_t>> shape = ctx.constantInts(0);
  if (shape && llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return ctx.invalid() << "expected non-negative sizes";
  OpBuilder &b = ctx.builder();
  Attribute element = b.getF32FloatAttr(0.0f);
  for (const onnx::AttributeProto &a : ctx.proto().attribute()) {
    if (a.name() != "value")
      continue;
    if (a.type() != onnx::AttributeProto::TENSOR)
      return ctx.invalid() << "expected a tensor 'value' attribute";
    FailureOr<ElementsAttr> tensor =
        importTensor(a.t(), ctx.describe() + ": value", ctx.getLoc(),
                     ctx.parent.tensorEnv());
    if (failed(tensor))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*tensor);
    if (!dense || dense.getNumElements() != 1)
      return ctx.unsupported() << "expected a one-element dense 'value'";
    element = dense.getSplatValue<Attribute>();
  }
  Type elementType = cast<TypedAttr>(element).getType();
  if (!shape) // computed at run time
    return importDynamicConstantOfShape(ctx, cast<TypedAttr>(element));
  auto type = RankedTensorType::get(*shape, elementType);
  FailureOr<RankedTensorType> outType = ctx.outputType(0, type);
  if (failed(outType))
    return failure();
  if (*outType != type)
    return ctx.invalid() << "expected output type " << type << ", found "
                         << *outType;
  ctx.setOutput(0, dsg::ConstantOp::create(
                       b, ctx.getLoc(), type,
                       DenseElementsAttr::get(type, element)));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape family: Reshape, Flatten, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importReshape(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  int64_t allowZero = 0;
  if (failed(ctx.intAttr("allowzero", allowZero)))
    return failure();
  RankedTensorType input = ctx.inputType(0), shapeType = ctx.inputType(1);
  if (shapeType.getRank() != 1 || !shapeType.getElementType().isInteger(64))
    return ctx.invalid() << "expected a 1-D int64 shape, found " << shapeType;
  OpBuilder &b = ctx.builder();
  auto allowZeroAttr = b.getNamedAttr("allow_zero", b.getBoolAttr(allowZero));

  // The target with 0 and -1 resolved as far as the static input allows.
  std::optional<SmallVector<int64_t>> target = ctx.constantInts(1);
  SmallVector<int64_t> fallback;
  if (target) {
    int64_t inferred = -1;
    for (auto [i, v] : llvm::enumerate(*target)) {
      int64_t d = v;
      if (v == 0 && !allowZero) {
        if (static_cast<int64_t>(i) >= input.getRank())
          return ctx.invalid()
                 << "shape entry " << i
                 << " is 0 (copy), but the input has rank " << input.getRank();
        d = input.getDimSize(i);
      } else if (v == -1) {
        if (inferred >= 0)
          return ctx.invalid() << "more than one -1 in the shape";
        inferred = i;
        fallback.push_back(ShapedType::kDynamic);
        continue;
      } else if (v < -1) {
        return ctx.invalid() << "invalid shape entry " << v;
      }
      fallback.push_back(d);
    }
    if (!hasAddressableSize(fallback))
      return ctx.invalid() << "shape [" << llvm::interleaved(*target)
                           << "] has more than 2^60 elements";
    if (inferred >= 0 && allowZero && llvm::is_contained(*target, 0))
      return ctx.invalid() << "a shape with both 0 and -1 is invalid when "
                              "allowzero=1";
    // The product of the known sizes (it cannot overflow: checked above),
    // and whether a size copied from the input is dynamic.
    int64_t known = 1;
    bool dynamic = false;
    for (auto [i, d] : llvm::enumerate(fallback)) {
      if (static_cast<int64_t>(i) == inferred)
        continue;
      if (ShapedType::isDynamic(d))
        dynamic = true;
      else
        known *= d;
    }
    if (inferred >= 0 && !dynamic && input.hasStaticShape()) {
      if (known == 0 || input.getNumElements() % known != 0)
        return ctx.invalid() << "cannot reshape " << input << " to "
                             << "shape [" << llvm::interleaved(*target) << "]";
      fallback[inferred] = input.getNumElements() / known;
    }
    auto type = RankedTensorType::get(fallback, input.getElementType());
    if (type.hasStaticShape()) {
      if (input.hasStaticShape() &&
          input.getNumElements() != type.getNumElements())
        return ctx.invalid() << "cannot reshape " << input << " to " << type;
      ctx.setOutput(0, dsg::ReshapeOp::create(b, ctx.getLoc(), TypeRange{type},
                                              ValueRange{ctx.input(0)},
                                              ArrayRef<NamedAttribute>{})
                           .getResult());
      return success();
    }
  } else if (!ShapedType::isDynamic(shapeType.getDimSize(0))) {
    fallback.assign(shapeType.getDimSize(0), ShapedType::kDynamic);
  }
  RankedTensorType fallbackType;
  if (target || !fallback.empty() || shapeType.getDimSize(0) == 0)
    fallbackType = RankedTensorType::get(fallback, input.getElementType());
  FailureOr<RankedTensorType> type = ctx.outputType(0, fallbackType);
  if (failed(type))
    return failure();
  ctx.setOutput(0, dsg::ReshapeOp::create(
                       b, ctx.getLoc(), TypeRange{*type},
                       ValueRange{ctx.input(0), ctx.input(1)}, allowZeroAttr)
                       .getResult());
  return success();
}

LogicalResult mlir::ds::onnx_import::importFlatten(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  int64_t axis = 1;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, input.getRank(), "axis",
                               /*inclusiveEnd=*/true)))
    return failure();
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d))
        return ShapedType::kDynamic;
      p *= d;
    }
    return p;
  };
  ArrayRef<int64_t> shape = input.getShape();
  FailureOr<Value> result = ctx.reshapeTo(
      ctx.input(0),
      {product(shape.take_front(axis)), product(shape.drop_front(axis))},
      {axis == 1 ? 0 : -1, -1});
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

/// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an input
/// from 13. `present` says whether any were given; `runtime` says that the
/// axes input is computed at run time (its values are then unknown).
static LogicalResult squeezeAxes(NodeContext &ctx,
                                 SmallVectorImpl<int64_t> &axes, bool &present,
                                 bool &runtime) {
  runtime = false;
  if (ctx.sinceVersion() < 13) {
    if (failed(ctx.expectInputs(1, 1)))
      return failure();
    present = ctx.hasAttr("axes");
    return ctx.intsAttr("axes", axes);
  }
  if (failed(ctx.expectInputs(1, 2)))
    return failure();
  present = ctx.hasInput(1);
  if (!present)
    return success();
  std::optional<SmallVector<int64_t>> values = ctx.constantInts(1);
  if (!values) {
    runtime = true;
    return success();
  }
  axes.assign(values->begin(), values->end());
  return success();
}

/// Squeeze/Unsqueeze whose axes are known only at run time. Neither op moves
/// elements, so when ONNX knows the result type (shape inference, value_info
/// or the graph output) the axes cannot change the result: the node is a
/// reshape to that type. Without a known result shape it is unsupported.
static LogicalResult importSqueezeRuntimeAxes(NodeContext &ctx,
                                              bool unsqueeze) {
  const onnx::NodeProto &node = ctx.proto();
  RankedTensorType input = ctx.inputType(0), axesType = ctx.inputType(1);
  if (axesType.getRank() != 1 || !axesType.getElementType().isInteger(64))
    return ctx.invalid() << "expected 1-D int64 axes, found " << axesType;
  RankedTensorType result;
  if (const onnx::TypeProto *type = ctx.parent.typeOf(node.output(0))) {
    FailureOr<RankedTensorType> converted = ctx.parent.convertType(
        *type, ctx.describe() + ": output '" + node.output(0) + "'",
        ctx.getLoc());
    if (failed(converted))
      return failure();
    result = *converted;
  }
  if (!result)
    return ctx.unsupported()
           << "the axes input '" << node.input(1)
           << "' is computed at run time and the shape of output '"
           << node.output(0)
           << "' is unknown; ds needs constant axes (initializer or Constant "
              "node) or a known output shape";
  if (result.getElementType() != input.getElementType())
    return ctx.invalid() << "expected output '" << node.output(0)
                         << "' to have the input's element type, found "
                         << result;
  int64_t inRank = input.getRank(), outRank = result.getRank();
  int64_t numAxes = axesType.getDimSize(0);
  if (unsqueeze ? outRank < inRank : outRank > inRank)
    return ctx.invalid() << "cannot " << (unsqueeze ? "unsqueeze " : "squeeze ")
                         << input << " to " << result;
  // The number of axes fixes the result rank (a Squeeze with an empty axes
  // tensor removes every size-1 dimension, whatever their number).
  if (!ShapedType::isDynamic(numAxes) && (unsqueeze || numAxes != 0) &&
      std::abs(outRank - inRank) != numAxes)
    return ctx.invalid() << "expected output '" << node.output(0)
                         << "' of rank " << (unsqueeze ? inRank + numAxes
                                                       : inRank - numAxes)
                         << " for " << numAxes << " axes, found " << result;
  if (input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return ctx.invalid() << "cannot reshape " << input << " to " << result;
  // Which input dimension a dynamic result dimension copies depends on the
  // axes; reshapeTo infers it (-1) when there is only one.
  FailureOr<Value> reshaped = ctx.reshapeTo(ctx.input(0), result.getShape());
  if (failed(reshaped))
    return failure();
  ctx.setOutput(0, *reshaped);
  return success();
}

LogicalResult mlir::ds::onnx_import::importUnsqueeze(NodeContext &ctx) {
  SmallVector<int64_t> axes;
  bool present = false, runtime = false;
  if (failed(squeezeAxes(ctx, axes, present, runtime)))
    return failure();
  if (!present)
    return ctx.invalid() << "missing the required axes";
  if (runtime)
    return importSqueezeRuntimeAxes(ctx, /*unsqueeze=*/true);
  RankedTensorType input = ctx.inputType(0);
  int64_t rank = input.getRank() + axes.size();
  if (failed(ctx.normalizeAxes(axes, rank)))
    return failure();
  SmallVector<int64_t> shape, copy;
  int64_t next = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      shape.push_back(1);
      copy.push_back(-1);
    } else {
      shape.push_back(input.getDimSize(next));
      copy.push_back(next++);
    }
  }
  FailureOr<Value> result = ctx.reshapeTo(ctx.input(0), shape, copy);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

LogicalResult mlir::ds::onnx_import::importSqueeze(NodeContext &ctx) {
  SmallVector<int64_t> axes;
  bool present = false, runtime = false;
  if (failed(squeezeAxes(ctx, axes, present, runtime)))
    return failure();
  if (runtime)
    return importSqueezeRuntimeAxes(ctx, /*unsqueeze=*/false);
  RankedTensorType input = ctx.inputType(0);
  if (!present) {
    for (auto [i, d] : llvm::enumerate(input.getShape())) {
      if (ShapedType::isDynamic(d))
        return ctx.unsupported() << "without axes, every size must be known "
                                    "to find those of size 1, found "
                                 << input;
      if (d == 1)
        axes.push_back(i);
    }
  }
  if (failed(ctx.normalizeAxes(axes, input.getRank())))
    return failure();
  SmallVector<int64_t> shape, copy;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i))) {
      shape.push_back(d);
      copy.push_back(i);
    } else if (d != 1 && !ShapedType::isDynamic(d)) {
      return ctx.invalid() << "cannot squeeze dimension " << i << " of size "
                           << d;
    }
  }
  FailureOr<Value> result = ctx.reshapeTo(ctx.input(0), shape, copy);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
  return success();
}

//===----------------------------------------------------------------------===//
// Transpose, Concat, Gather
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::onnx_import::importTranspose(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  RankedTensorType input = ctx.inputType(0);
  int64_t rank = input.getRank();
  SmallVector<int64_t> perm =
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
  if (failed(ctx.intsAttr("perm", perm)))
    return failure();
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
    return ctx.invalid() << "expected perm to be a permutation of [0, " << rank
                         << "), found [" << llvm::interleaved(perm) << "]";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input.getDimSize(p));
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, input.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0,
                dsg::TransposeOp::create(b, ctx.getLoc(), *type, ctx.input(0),
                                         b.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importConcat(NodeContext &ctx) {
  if (ctx.numInputs() < 1)
    return ctx.invalid() << "expected at least one input";
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (!ctx.hasInput(i))
      return ctx.invalid() << "input " << i << " is empty";
  if (!ctx.hasAttr("axis"))
    return ctx.invalid() << "missing required attribute 'axis'";
  RankedTensorType first = ctx.inputType(0);
  int64_t axis = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, first.getRank())))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  SmallVector<Value> operands;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    operands.push_back(ctx.input(i));
    if (i == 0 || ctx.inputType(i).getRank() != first.getRank())
      continue;
    int64_t d = ctx.inputType(i).getDimSize(axis);
    shape[axis] = ShapedType::isDynamic(d) || ShapedType::isDynamic(shape[axis])
                      ? ShapedType::kDynamic
                      : shape[axis] + d;
  }
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, first.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0, dsg::ConcatOp::create(b, ctx.getLoc(), *type, operands,
                                         b.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult mlir::ds::onnx_import::importGather(NodeContext &ctx) {
  if (failed(ctx.expectInputs(2, 2)))
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1);
  int64_t axis = 0;
  if (failed(ctx.intAttr("axis", axis)) ||
      failed(ctx.normalizeAxis(axis, data.getRank())))
    return failure();
  if (!indices.getElementType().isInteger(32) &&
      !indices.getElementType().isInteger(64))
    return ctx.invalid() << "expected int32 or int64 indices, found "
                         << indices;
  SmallVector<int64_t> shape(data.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(axis + 1));
  FailureOr<RankedTensorType> type =
      ctx.outputType(0, RankedTensorType::get(shape, data.getElementType()));
  if (failed(type))
    return failure();
  OpBuilder &b = ctx.builder();
  ctx.setOutput(0,
                dsg::GatherOp::create(b, ctx.getLoc(), *type, ctx.input(0),
                                      ctx.input(1), b.getI64IntegerAttr(axis)));
  return success();
}
