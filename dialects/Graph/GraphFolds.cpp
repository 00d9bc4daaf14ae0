//===- GraphFolds.cpp - dsg constant folders ------------------------------===//
//
// Folders for the ops that appear in shape computations (Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape ...). They fold only small dense constants
// (at most kMaxFoldElements elements, so weights are never folded) and only
// into the op's own result type, which must be static. Each folder follows
// the ONNX semantics that the op documents (integer division truncates,
// unsigned types compute as unsigned).
//
//===----------------------------------------------------------------------===//
#include "Graph/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;
using namespace mlir::ds::graph;

static constexpr int64_t kMaxFoldElements = 1024;

/// `a` as a dense constant of at most kMaxFoldElements elements, or null.
static DenseElementsAttr smallDense(Attribute a) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || d.getNumElements() > kMaxFoldElements)
    return {};
  return d;
}

/// The static result type of `op` with at most kMaxFoldElements elements.
static RankedTensorType foldableResultType(Operation *op) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!t || !t.hasStaticShape() || t.getNumElements() > kMaxFoldElements)
    return {};
  return t;
}

/// The flat index into a tensor of shape `in` that element `flat` of a
/// tensor of shape `out` reads when `in` is aligned to `out` from the right
/// and repeats along each dimension (broadcasting when a size is 1, tiling
/// when it divides the result's).
static int64_t broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> in,
                              int64_t flat) {
  int64_t index = 0, stride = 1;
  int64_t shift = static_cast<int64_t>(out.size()) - in.size();
  for (int64_t i = static_cast<int64_t>(out.size()) - 1; i >= 0; --i) {
    int64_t c = flat % out[i];
    flat /= out[i];
    int64_t j = i - shift;
    if (j < 0)
      continue;
    index += (c % in[j]) * stride;
    stride *= in[j];
  }
  return index;
}

static ArrayRef<int64_t> shapeOf(DenseElementsAttr d) {
  return d.getType().getShape();
}

static bool isUnsignedOrBool(Type t) {
  return t.isUnsignedInteger() || t.isInteger(1);
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic and comparisons
//===----------------------------------------------------------------------===//

using IntFn =
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &, bool)>;
using FloatFn =
    llvm::function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>;

static OpFoldResult foldBinary(Operation *op, ArrayRef<Attribute> operands,
                               IntFn intFn, FloatFn floatFn) {
  RankedTensorType type = foldableResultType(op);
  DenseElementsAttr l = smallDense(operands[0]), r = smallDense(operands[1]);
  if (!type || !l || !r)
    return {};
  ArrayRef<int64_t> out = type.getShape();
  Type et = l.getElementType();
  int64_t n = type.getNumElements();
  if (isa<IntegerType>(et)) {
    if (!intFn)
      return {};
    bool isUnsigned = isUnsignedOrBool(et);
    auto lv = l.getValues<APInt>(), rv = r.getValues<APInt>();
    SmallVector<APInt> values;
    for (int64_t i = 0; i < n; ++i) {
      std::optional<APInt> v = intFn(lv[broadcastIndex(out, shapeOf(l), i)],
                                     rv[broadcastIndex(out, shapeOf(r), i)],
                                     isUnsigned);
      if (!v)
        return {};
      values.push_back(*v);
    }
    return DenseElementsAttr::get(type, values);
  }
  if (isa<FloatType>(et)) {
    if (!floatFn)
      return {};
    auto lv = l.getValues<APFloat>(), rv = r.getValues<APFloat>();
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < n; ++i) {
      std::optional<APFloat> v =
          floatFn(lv[broadcastIndex(out, shapeOf(l), i)],
                  rv[broadcastIndex(out, shapeOf(r), i)]);
      if (!v)
        return {};
      values.push_back(*v);
    }
    return DenseElementsAttr::get(type, values);
  }
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> std::optional<APInt> {
        return a + b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> std::optional<APInt> {
        return a - b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr in = smallDense(adaptor.getInput());
  if (!type || !in || in.getType() != type)
    return {};
  if (isa<IntegerType>(type.getElementType()))
    return in.mapValues(type.getElementType(),
                        [](const APInt &v) { return -v; });
  if (isa<FloatType>(type.getElementType()))
    return in.mapValues(type.getElementType(), [](const APFloat &v) {
      return neg(v).bitcastToAPInt();
    });
  return {};
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b, bool) -> std::optional<APInt> {
        return a * b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b,
         bool isUnsigned) -> std::optional<APInt> {
        // Division by zero (and INT_MIN / -1) is undefined: leave it alone.
        if (b.isZero())
          return std::nullopt;
        if (isUnsigned)
          return a.udiv(b);
        if (a.isMinSignedValue() && b.isAllOnes())
          return std::nullopt;
        return a.sdiv(b); // truncates toward zero
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b,
         bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umax(a, b) : llvm::APIntOps::smax(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      *this, adaptor.getOperands(),
      [](const APInt &a, const APInt &b,
         bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umin(a, b) : llvm::APIntOps::smin(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      });
}

/// Comparisons: `pred` gets the three-way integer comparison (-1, 0, 1), or
/// for floats the APFloat comparison result (unordered compares false).
static OpFoldResult foldCompare(Operation *op, ArrayRef<Attribute> operands,
                                llvm::function_ref<bool(int)> pred) {
  RankedTensorType type = foldableResultType(op);
  DenseElementsAttr l = smallDense(operands[0]), r = smallDense(operands[1]);
  if (!type || !l || !r)
    return {};
  ArrayRef<int64_t> out = type.getShape();
  Type et = l.getElementType();
  int64_t n = type.getNumElements();
  SmallVector<bool> values;
  if (isa<IntegerType>(et)) {
    bool isUnsigned = isUnsignedOrBool(et);
    auto lv = l.getValues<APInt>(), rv = r.getValues<APInt>();
    for (int64_t i = 0; i < n; ++i) {
      APInt a = lv[broadcastIndex(out, shapeOf(l), i)];
      APInt b = rv[broadcastIndex(out, shapeOf(r), i)];
      int c = a == b ? 0
              : (isUnsigned ? a.ult(b) : a.slt(b)) ? -1
                                                     : 1;
      values.push_back(pred(c));
    }
  } else if (isa<FloatType>(et)) {
    auto lv = l.getValues<APFloat>(), rv = r.getValues<APFloat>();
    for (int64_t i = 0; i < n; ++i) {
      APFloat::cmpResult c = lv[broadcastIndex(out, shapeOf(l), i)].compare(
          rv[broadcastIndex(out, shapeOf(r), i)]);
      if (c == APFloat::cmpUnordered)
        values.push_back(false);
      else
        values.push_back(
            pred(c == APFloat::cmpLessThan ? -1
                 : c == APFloat::cmpEqual  ? 0
                                           : 1));
    }
  } else {
    return {};
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](int c) { return c == 0; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](int c) { return c < 0; });
}
OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](int c) { return c <= 0; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](int c) { return c > 0; });
}
OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(*this, adaptor.getOperands(),
                     [](int c) { return c >= 0; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr c = smallDense(adaptor.getCondition()),
                    x = smallDense(adaptor.getX()),
                    y = smallDense(adaptor.getY());
  if (!type || !c || !x || !y)
    return {};
  ArrayRef<int64_t> out = type.getShape();
  auto cv = c.getValues<bool>();
  auto xv = x.getValues<Attribute>(), yv = y.getValues<Attribute>();
  SmallVector<Attribute> values;
  for (int64_t i = 0, n = type.getNumElements(); i < n; ++i)
    values.push_back(cv[broadcastIndex(out, shapeOf(c), i)]
                         ? xv[broadcastIndex(out, shapeOf(x), i)]
                         : yv[broadcastIndex(out, shapeOf(y), i)]);
  return DenseElementsAttr::get(type, values);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr in = smallDense(adaptor.getInput());
  if (!type || !in)
    return {};
  Type from = in.getElementType(), to = type.getElementType();
  if (from == to)
    return in;
  if (isa<IntegerType>(from)) {
    bool isUnsigned = isUnsignedOrBool(from);
    if (auto it = dyn_cast<IntegerType>(to)) {
      SmallVector<APInt> values;
      for (const APInt &v : in.getValues<APInt>()) {
        if (it.getWidth() == 1)
          values.push_back(APInt(1, !v.isZero()));
        else
          values.push_back(isUnsigned ? v.zextOrTrunc(it.getWidth())
                                      : v.sextOrTrunc(it.getWidth()));
      }
      return DenseElementsAttr::get(type, values);
    }
    if (auto ft = dyn_cast<FloatType>(to)) {
      SmallVector<APFloat> values;
      for (const APInt &v : in.getValues<APInt>()) {
        APFloat f(ft.getFloatSemantics());
        f.convertFromAPInt(v, /*IsSigned=*/!isUnsigned,
                           APFloat::rmNearestTiesToEven);
        values.push_back(f);
      }
      return DenseElementsAttr::get(type, values);
    }
    return {};
  }
  if (!isa<FloatType>(from))
    return {};
  if (auto it = dyn_cast<IntegerType>(to)) {
    SmallVector<APInt> values;
    for (const APFloat &f : in.getValues<APFloat>()) {
      if (it.getWidth() == 1) {
        values.push_back(APInt(1, !f.isZero()));
        continue;
      }
      // Truncates toward zero; NaN and out-of-range values are undefined
      // in ONNX and are left to run time.
      APSInt result(it.getWidth(), it.isUnsigned());
      bool isExact = false;
      if (f.convertToInteger(result, APFloat::rmTowardZero, &isExact) &
          APFloat::opInvalidOp)
        return {};
      values.push_back(result);
    }
    return DenseElementsAttr::get(type, values);
  }
  if (auto ft = dyn_cast<FloatType>(to)) {
    SmallVector<APFloat> values;
    for (APFloat f : in.getValues<APFloat>()) {
      bool losesInfo = false;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr in = smallDense(adaptor.getInput());
  if (!type || !in || in.getNumElements() != type.getNumElements())
    return {};
  return in.reshape(type);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  if (!type)
    return {};
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute a : adaptor.getInputs()) {
    DenseElementsAttr d = smallDense(a);
    if (!d)
      return {};
    inputs.push_back(d);
  }
  int64_t axis = getAxis();
  int64_t outer = 1;
  for (int64_t d : type.getShape().take_front(axis))
    outer *= d;
  SmallVector<SmallVector<Attribute>> all;
  for (DenseElementsAttr d : inputs)
    all.emplace_back(d.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [d, v] : llvm::zip(inputs, all)) {
      int64_t chunk = outer ? d.getNumElements() / outer : 0;
      values.append(v.begin() + o * chunk, v.begin() + (o + 1) * chunk);
    }
  if (static_cast<int64_t>(values.size()) != type.getNumElements())
    return {};
  return DenseElementsAttr::get(type, values);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr data = smallDense(adaptor.getData()),
                    indices = smallDense(adaptor.getIndices());
  if (!type || !data || !indices)
    return {};
  ArrayRef<int64_t> shape = shapeOf(data);
  int64_t axis = getAxis();
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return {};
  int64_t outer = 1, inner = 1, size = shape[axis];
  for (int64_t d : shape.take_front(axis))
    outer *= d;
  for (int64_t d : shape.drop_front(axis + 1))
    inner *= d;
  SmallVector<int64_t> idx;
  for (const APInt &v : indices.getValues<APInt>()) {
    int64_t i = v.getSExtValue();
    if (i < 0)
      i += size;
    if (i < 0 || i >= size)
      return {}; // out of range: an error at run time
    idx.push_back(i);
  }
  SmallVector<Attribute> in(data.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx)
      for (int64_t k = 0; k < inner; ++k)
        values.push_back(in[(o * size + i) * inner + k]);
  if (static_cast<int64_t>(values.size()) != type.getNumElements())
    return {};
  return DenseElementsAttr::get(type, values);
}

/// Expand and Tile: every result element reads the input element at its
/// coordinates modulo the input's sizes (aligned from the right).
static OpFoldResult foldRepeat(Operation *op, Attribute input) {
  RankedTensorType type = foldableResultType(op);
  DenseElementsAttr in = smallDense(input);
  if (!type || !in)
    return {};
  if (in.isSplat())
    return SplatElementsAttr::get(type, in.getSplatValue<Attribute>());
  SmallVector<Attribute> v(in.getValues<Attribute>()), values;
  for (int64_t i = 0, n = type.getNumElements(); i < n; ++i)
    values.push_back(v[broadcastIndex(type.getShape(), shapeOf(in), i)]);
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  return foldRepeat(*this, adaptor.getInput());
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  return foldRepeat(*this, adaptor.getInput());
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr in = smallDense(adaptor.getInput()),
                    starts = smallDense(adaptor.getStarts()),
                    axes = smallDense(adaptor.getAxes()),
                    steps = smallDense(adaptor.getSteps());
  if (!type || !in || !starts || !axes || !steps)
    return {};
  ArrayRef<int64_t> shape = shapeOf(in);
  int64_t rank = shape.size();
  if (type.getRank() != rank)
    return {};
  SmallVector<int64_t> start(rank, 0), step(rank, 1);
  auto sv = starts.getValues<APInt>(), av = axes.getValues<APInt>(),
       tv = steps.getValues<APInt>();
  if (starts.getNumElements() != axes.getNumElements() ||
      steps.getNumElements() != axes.getNumElements())
    return {};
  for (int64_t j = 0, n = axes.getNumElements(); j < n; ++j) {
    int64_t axis = av[j].getSExtValue();
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return {};
    int64_t s = sv[j].getSExtValue(), t = tv[j].getSExtValue();
    int64_t size = shape[axis];
    if (t == 0)
      return {};
    if (s < 0)
      s += size;
    s = t > 0 ? std::clamp<int64_t>(s, 0, size)
              : std::clamp<int64_t>(s, 0, std::max<int64_t>(size - 1, 0));
    start[axis] = s;
    step[axis] = t;
  }
  ArrayRef<int64_t> out = type.getShape();
  SmallVector<Attribute> v(in.getValues<Attribute>()), values;
  for (int64_t i = 0, n = type.getNumElements(); i < n; ++i) {
    int64_t flat = i, index = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t c = flat % out[d];
      flat /= out[d];
      int64_t x = start[d] + c * step[d];
      if (x < 0 || x >= shape[d])
        return {}; // the result type does not match the slice
      index += x * stride;
      stride *= shape[d];
    }
    values.push_back(v[index]);
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = foldableResultType(*this);
  DenseElementsAttr start = smallDense(adaptor.getStart()),
                    delta = smallDense(adaptor.getDelta());
  if (!type || !start || !delta || !isa<IntegerType>(type.getElementType()))
    return {};
  APInt s = *start.getValues<APInt>().begin(),
        d = *delta.getValues<APInt>().begin();
  SmallVector<APInt> values;
  for (int64_t i = 0, n = type.getNumElements(); i < n; ++i) {
    values.push_back(s);
    s += d;
  }
  return DenseElementsAttr::get(type, values);
}

/// Integer reduce_sum / reduce_prod.
static OpFoldResult foldIntReduce(Operation *op, Attribute input,
                                  ArrayRef<int64_t> axes, bool keepdims,
                                  bool product) {
  RankedTensorType type = foldableResultType(op);
  DenseElementsAttr in = smallDense(input);
  if (!type || !in || !isa<IntegerType>(in.getElementType()) ||
      in.getElementType().isInteger(1))
    return {};
  ArrayRef<int64_t> shape = shapeOf(in);
  int64_t rank = shape.size();
  unsigned width = in.getElementType().getIntOrFloatBitWidth();
  SmallVector<APInt> values(type.getNumElements(),
                            APInt(width, product ? 1 : 0));
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    if (a >= 0 && a < rank)
      reduced[a] = true;
  int64_t i = 0;
  for (const APInt &v : in.getValues<APInt>()) {
    // The output index: the input coordinates without the reduced ones.
    int64_t flat = i++, index = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t c = flat % shape[d];
      flat /= shape[d];
      if (reduced[d])
        continue;
      index += c * stride;
      stride *= shape[d];
    }
    if (index >= static_cast<int64_t>(values.size()))
      return {};
    values[index] = product ? values[index] * v : values[index] + v;
  }
  (void)keepdims; // the result type already says where reduced sizes stay
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor adaptor) {
  return foldIntReduce(*this, adaptor.getInput(), getAxes(), getKeepdims(),
                       /*product=*/true);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  return foldIntReduce(*this, adaptor.getInput(), getAxes(), getKeepdims(),
                       /*product=*/false);
}
