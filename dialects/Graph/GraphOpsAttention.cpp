//===- GraphOpsAttention.cpp - verifier of dsg.attention ------------------===//
#include "Graph/GraphOps.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds::graph;

static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// "[1, 4, ?, 64]": shapes in diagnostics, dynamic sizes as '?'.
static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}

static std::string sizeString(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

int64_t AttentionOp::getGroupSize() {
  int64_t hq = getQuery().getType().getDimSize(1);
  int64_t hkv = getKey().getType().getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv == 0)
    return ShapedType::kDynamic;
  return hq / hkv;
}

LogicalResult AttentionOp::verify() {
  auto q = getQuery().getType(), k = getKey().getType(),
       v = getValue().getType();
  auto out = getType();
  for (auto [name, t] : {std::pair<StringRef, RankedTensorType>{"query", q},
                         {"key", k},
                         {"value", v},
                         {"result", out}})
    if (t.getRank() != 4)
      return emitOpError() << "expected a rank-4 " << name
                           << " ([batch, heads, seq, head dim]), found shape "
                           << shapeString(t.getShape());
  Type elem = q.getElementType();
  if (!isa<FloatType>(elem))
    return emitOpError() << "expected a floating-point query, found " << elem;
  for (auto [name, t] : {std::pair<StringRef, RankedTensorType>{"key", k},
                         {"value", v},
                         {"result", out}})
    if (t.getElementType() != elem)
      return emitOpError() << "expected the " << name
                           << " to have the query's element type " << elem
                           << ", found " << t.getElementType();

  auto qs = q.getShape(), ks = k.getShape(), vs = v.getShape();
  std::string shapes = "query " + shapeString(qs) + ", key " +
                       shapeString(ks) + ", value " + shapeString(vs);
  if (!compatible(qs[0], ks[0]) || !compatible(qs[0], vs[0]))
    return emitOpError() << "expected one batch size, found " << shapes;
  if (!compatible(qs[3], ks[3]))
    return emitOpError() << "expected query and key head dims to match, found "
                         << sizeString(qs[3]) << " and " << sizeString(ks[3])
                         << " (" << shapes << ")";
  if (!compatible(ks[2], vs[2]))
    return emitOpError()
           << "expected key and value sequence lengths to match, found "
           << sizeString(ks[2]) << " and " << sizeString(vs[2]) << " ("
           << shapes << ")";
  if (!compatible(ks[1], vs[1]))
    return emitOpError()
           << "expected key and value to have one number of heads, found "
           << sizeString(ks[1]) << " and " << sizeString(vs[1]) << " ("
           << shapes << ")";
  int64_t hq = qs[1], hkv = ks[1];
  if (hkv == 0 ||
      (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) &&
       hq % hkv != 0))
    return emitOpError() << "expected the key/value heads (" << hkv
                         << ") to divide the query heads (" << sizeString(hq)
                         << "): " << shapes;

  SmallVector<int64_t> want = {qs[0], qs[1], qs[2], vs[3]};
  for (int64_t i = 0; i < 4; ++i)
    if (!compatible(want[i], out.getDimSize(i)))
      return emitOpError() << "expected result shape " << shapeString(want)
                           << ", found " << shapeString(out.getShape());

  if (Value mask = getMask()) {
    auto m = cast<RankedTensorType>(mask.getType());
    Type me = m.getElementType();
    if (!me.isInteger(1) && me != elem)
      return emitOpError() << "expected an i1 mask or an additive mask of "
                              "the query's element type "
                           << elem << ", found " << me;
    SmallVector<int64_t> scores = {qs[0], qs[1], qs[2], ks[2]};
    bool ok = m.getRank() <= 4;
    for (int64_t i = 0; ok && i < m.getRank(); ++i) {
      int64_t d = m.getDimSize(m.getRank() - 1 - i);
      ok = d == 1 || compatible(d, scores[3 - i]);
    }
    if (!ok)
      return emitOpError() << "mask of shape " << shapeString(m.getShape())
                           << " does not broadcast to the scores' shape "
                           << shapeString(scores)
                           << " ([batch, query heads, query len, key len])";
  }
  float scale = getScale().convertToFloat();
  if (!std::isfinite(scale))
    return emitOpError() << "expected a finite scale, found " << scale;
  return success();
}
