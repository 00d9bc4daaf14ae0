//===- GraphOpsIndexing.cpp - verifiers of the dsg indexing ops -----------===//
#include "Graph/GraphOps.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ds::graph;

static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static LogicalResult sameElementType(Operation *op, Type a, Type b,
                                     StringRef what) {
  if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
    return op->emitOpError() << "expected " << what
                             << " to have the result's element type";
  return success();
}

static LogicalResult checkShape(Operation *op, ArrayRef<int64_t> want,
                                ArrayRef<int64_t> got) {
  bool ok = want.size() == got.size();
  for (size_t i = 0; ok && i < want.size(); ++i)
    ok = compatible(want[i], got[i]);
  if (!ok) {
    auto diag = op->emitOpError() << "expected result shape [";
    llvm::interleaveComma(want, diag, [&](int64_t d) {
      if (ShapedType::isDynamic(d))
        diag << "?";
      else
        diag << d;
    });
    return diag << "]";
  }
  return success();
}

static LogicalResult checkScalar(Operation *op, Value v, StringRef what) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 0)
    return op->emitOpError() << "expected " << what << " to be 0-D";
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType();
  if (failed(sameElementType(*this, in, getType(), "the input")))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("expected the result to have the input's rank");
  int64_t n = ShapedType::kDynamic;
  for (Value v : {getStarts(), getAxes(), getSteps()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1)
      return emitOpError("expected 1-D starts, axes and steps");
    if (!compatible(n, t.getDimSize(0)))
      return emitOpError("expected starts, axes and steps of one length");
    if (!ShapedType::isDynamic(t.getDimSize(0)))
      n = t.getDimSize(0);
  }
  for (auto [i, o] : llvm::zip(in.getShape(), getType().getShape()))
    if (!ShapedType::isDynamic(i) && o > i)
      return emitOpError("expected no result dimension larger than the "
                         "input's");
  return success();
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType();
  if (failed(sameElementType(*this, in, getType(), "the input")))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("expected the result to have the input's rank");
  auto pads = getPads().getType();
  if (pads.getRank() != 1 || !compatible(pads.getDimSize(0), 2 * in.getRank()))
    return emitOpError() << "expected 1-D pads of " << 2 * in.getRank()
                         << " entries";
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError() << "unknown mode '" << mode << "'";
  if (Value v = getValue()) {
    if (mode != "constant")
      return emitOpError("expected no value outside constant mode");
    if (failed(checkScalar(*this, v, "value")) ||
        failed(sameElementType(*this, v.getType(), getType(), "value")))
      return failure();
  }
  return success();
}

LogicalResult TileOp::verify() {
  auto in = getInput().getType();
  if (failed(sameElementType(*this, in, getType(), "the input")))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("expected the result to have the input's rank");
  for (auto [i, o] : llvm::zip(in.getShape(), getType().getShape()))
    if (!ShapedType::isDynamic(i) && (i == 0 ? o != 0 : o % i != 0))
      return emitOpError("expected each result dimension to be a multiple "
                         "of the input's");
  return success();
}

LogicalResult ExpandOp::verify() {
  auto in = getInput().getType();
  if (failed(sameElementType(*this, in, getType(), "the input")))
    return failure();
  ArrayRef<int64_t> out = getType().getShape();
  if (in.getRank() > getType().getRank())
    return emitOpError("expected the result rank to be at least the input's");
  int64_t offset = getType().getRank() - in.getRank();
  for (auto [k, d] : llvm::enumerate(in.getShape()))
    if (!ShapedType::isDynamic(d) && d != 1 && d != out[offset + k])
      return emitOpError("expected the input to broadcast to the result");
  return success();
}

LogicalResult RangeOp::verify() {
  if (getType().getRank() != 1)
    return emitOpError("expected a 1-D result");
  for (Value v : {getStart(), getDelta()})
    if (failed(checkScalar(*this, v, "start and delta")) ||
        failed(sameElementType(*this, v.getType(), getType(),
                               "start and delta")))
      return failure();
  if (getType().getElementType().isInteger(1))
    return emitOpError("expected a numeric element type");
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("expected the result to have the input's type");
  if (getType().getRank() < 2)
    return emitOpError("expected an input of rank 2 or more");
  if (Value k = getK())
    return checkScalar(*this, k, "k");
  return success();
}

LogicalResult CumSumOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("expected the result to have the input's type");
  if (getType().getRank() < 1)
    return emitOpError("expected an input of rank 1 or more");
  if (getType().getElementType().isInteger(1))
    return emitOpError("expected a numeric element type");
  return checkScalar(*this, getAxis(), "axis");
}

LogicalResult GatherElementsOp::verify() {
  auto data = getData().getType();
  if (failed(sameElementType(*this, data, getType(), "data")))
    return failure();
  if (getAxis() < 0 || getAxis() >= data.getRank())
    return emitOpError() << "expected axis in [0, " << data.getRank()
                         << "), found " << getAxis();
  if (getIndices().getType().getRank() != data.getRank())
    return emitOpError("expected indices of the data's rank");
  return checkShape(*this, getIndices().getType().getShape(),
                    getType().getShape());
}

LogicalResult GatherNDOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  if (failed(sameElementType(*this, data, getType(), "data")))
    return failure();
  int64_t b = getBatchDims();
  if (indices.getRank() < 1 || ShapedType::isDynamic(indices.getShape().back()))
    return emitOpError("expected indices with a static last dimension");
  int64_t m = indices.getShape().back();
  if (b < 0 || b >= indices.getRank() || b + m > data.getRank() || m < 1)
    return emitOpError("expected 0 <= batch_dims < rank(indices) and "
                       "1 <= batch_dims + indices.shape[-1] <= rank(data)");
  for (int64_t i = 0; i < b; ++i)
    if (!compatible(data.getDimSize(i), indices.getDimSize(i)))
      return emitOpError("expected the batch dimensions to agree");
  SmallVector<int64_t> want(indices.getShape().drop_back());
  llvm::append_range(want, data.getShape().drop_front(b + m));
  return checkShape(*this, want, getType().getShape());
}

static LogicalResult verifyReduction(Operation *op, StringRef r) {
  if (r != "none" && r != "add" && r != "mul")
    return op->emitOpError() << "unknown reduction '" << r << "'";
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  auto data = getData().getType();
  if (data != getType())
    return emitOpError("expected the result to have the data's type");
  if (failed(sameElementType(*this, getUpdates().getType(), getType(),
                             "updates")) ||
      failed(verifyReduction(*this, getReduction())))
    return failure();
  if (getAxis() < 0 || getAxis() >= data.getRank())
    return emitOpError() << "expected axis in [0, " << data.getRank()
                         << "), found " << getAxis();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (indices.getRank() != data.getRank() ||
      updates.getRank() != data.getRank())
    return emitOpError("expected indices and updates of the data's rank");
  for (auto [i, u] : llvm::zip(indices.getShape(), updates.getShape()))
    if (!compatible(i, u))
      return emitOpError("expected updates of the indices' shape");
  return success();
}

LogicalResult ScatterNDOp::verify() {
  auto data = getData().getType();
  if (data != getType())
    return emitOpError("expected the result to have the data's type");
  if (failed(sameElementType(*this, getUpdates().getType(), getType(),
                             "updates")) ||
      failed(verifyReduction(*this, getReduction())))
    return failure();
  auto indices = getIndices().getType();
  if (indices.getRank() < 1 || ShapedType::isDynamic(indices.getShape().back()))
    return emitOpError("expected indices with a static last dimension");
  int64_t k = indices.getShape().back();
  if (k < 1 || k > data.getRank())
    return emitOpError("expected 1 <= indices.shape[-1] <= rank(data)");
  SmallVector<int64_t> want(indices.getShape().drop_back());
  llvm::append_range(want, data.getShape().drop_front(k));
  auto updates = getUpdates().getType().getShape();
  bool ok = want.size() == updates.size();
  for (size_t i = 0; ok && i < want.size(); ++i)
    ok = compatible(want[i], updates[i]);
  if (!ok)
    return emitOpError("expected updates of shape indices.shape[:-1] + "
                       "data.shape[indices.shape[-1]:]");
  return success();
}

LogicalResult OneHotOp::verify() {
  auto indices = getIndices().getType();
  if (getType().getRank() != indices.getRank() + 1)
    return emitOpError("expected the result rank to be the indices' plus 1");
  if (getAxis() < 0 || getAxis() > indices.getRank())
    return emitOpError() << "expected axis in [0, " << indices.getRank()
                         << "], found " << getAxis();
  SmallVector<int64_t> want(indices.getShape());
  want.insert(want.begin() + getAxis(), getType().getDimSize(getAxis()));
  if (failed(checkShape(*this, want, getType().getShape())) ||
      failed(checkScalar(*this, getDepth(), "depth")))
    return failure();
  auto values = getValues().getType();
  if (values.getRank() != 1 || !compatible(values.getDimSize(0), 2))
    return emitOpError("expected values of shape [2]");
  return sameElementType(*this, values, getType(), "values");
}
