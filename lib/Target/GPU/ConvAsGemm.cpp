//===- ConvAsGemm.cpp - 2-D convolutions seen as GEMMs --------------------===//
//
// The matcher for ds-gpu-tensor-core-matmul's implicit-GEMM convolutions
// (ConvAsGemm.h).
//
//===----------------------------------------------------------------------===//
#include "ConvAsGemm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExpr.h"

using namespace mlir;
using namespace mlir::ds::gpu_conv;

namespace {
/// The coefficient of each of the map's dims in `e`, if `e` is linear in
/// them with no constant term.
std::optional<SmallVector<int64_t>> linearCoefficients(AffineExpr e,
                                                       unsigned numDims) {
  MLIRContext *ctx = e.getContext();
  auto evalAt = [&](int64_t which) -> std::optional<int64_t> {
    SmallVector<AffineExpr> values;
    for (unsigned d = 0; d < numDims; ++d)
      values.push_back(getAffineConstantExpr(d == which ? 1 : 0, ctx));
    auto c = dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(e.replaceDims(values), 0, 0));
    if (!c)
      return std::nullopt;
    return c.getValue();
  };
  std::optional<int64_t> at0 = evalAt(-1);
  if (!at0 || *at0 != 0)
    return std::nullopt;
  SmallVector<int64_t> coeffs;
  AffineExpr rebuilt = getAffineConstantExpr(0, ctx);
  for (unsigned d = 0; d < numDims; ++d) {
    std::optional<int64_t> v = evalAt(d);
    if (!v)
      return std::nullopt;
    coeffs.push_back(*v);
    rebuilt = rebuilt + getAffineDimExpr(d, ctx) * *v;
  }
  // Linear: the expression is exactly the sum of its coefficients' terms.
  if (simplifyAffineExpr(rebuilt, numDims, 0) !=
      simplifyAffineExpr(e, numDims, 0))
    return std::nullopt;
  return coeffs;
}

/// `v` is block argument `arg`, possibly widened by arith.extf.
bool isArgMaybeExtended(Value v, BlockArgument arg) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return v == arg;
}

/// out + in · w (either order of each operation).
bool isMultiplyAccumulate(Block &body) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  BlockArgument x = body.getArgument(0), w = body.getArgument(1);
  return (isArgMaybeExtended(mul.getLhs(), x) &&
          isArgMaybeExtended(mul.getRhs(), w)) ||
         (isArgMaybeExtended(mul.getLhs(), w) &&
          isArgMaybeExtended(mul.getRhs(), x));
}
} // namespace

FailureOr<ConvGemm> mlir::ds::gpu_conv::matchConvAsGemm(linalg::GenericOp op,
                                                        std::string &why) {
  why.clear();
  // Loops n, g, f, oh, ow (parallel), c, kh, kw (reduction).
  if (op.getNumLoops() != 8 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 3)
    return failure();
  auto iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < 8; ++i)
    if ((i < 5) != (iterators[i] == utils::IteratorType::parallel))
      return failure();
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap weightMap = AffineMap::get(8, 0, {d(1), d(2), d(5), d(6), d(7)},
                                       ctx);
  AffineMap outMap = AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)},
                                    ctx);
  AffineMap in = maps[0];
  if (maps[1] != weightMap || maps[2] != outMap || in.getNumResults() != 5 ||
      in.getResult(0) != d(0) || in.getResult(1) != d(1) ||
      in.getResult(2) != d(5))
    return failure();
  auto rows = linearCoefficients(in.getResult(3), 8);
  auto cols = linearCoefficients(in.getResult(4), 8);
  if (!rows || !cols)
    return failure();
  // Row: oh·sh + kh·dh only; column: ow·sw + kw·dw only.
  for (unsigned i = 0; i < 8; ++i)
    if (((*rows)[i] != 0 && i != 3 && i != 6) ||
        ((*cols)[i] != 0 && i != 4 && i != 7))
      return failure();
  if (!isMultiplyAccumulate(*op.getBody()))
    return failure();

  // A convolution from here on: what keeps it off the tensor cores.
  if (!op.hasPureBufferSemantics()) {
    why = "not on buffers";
    return failure();
  }
  ConvGemm conv;
  conv.input = op.getDpsInputs()[0];
  conv.weight = op.getDpsInputs()[1];
  conv.output = op.getDpsInits()[0];
  auto inType = dyn_cast<MemRefType>(conv.input.getType());
  auto wType = dyn_cast<MemRefType>(conv.weight.getType());
  auto outType = dyn_cast<MemRefType>(conv.output.getType());
  if (!inType || !wType || !outType || !inType.hasStaticShape() ||
      !wType.hasStaticShape() || !outType.hasStaticShape() ||
      !wType.getLayout().isIdentity() || !outType.getLayout().isIdentity()) {
    why = "dynamic shapes or a strided weight or output";
    return failure();
  }
  if (wType.getDimSize(0) != 1) {
    why = "grouped convolution";
    return failure();
  }
  conv.batch = outType.getDimSize(0);
  conv.f = outType.getDimSize(2);
  conv.oh = outType.getDimSize(3);
  conv.ow = outType.getDimSize(4);
  conv.c = wType.getDimSize(2);
  conv.kh = wType.getDimSize(3);
  conv.kw = wType.getDimSize(4);
  conv.strideH = (*rows)[3];
  conv.dilationH = (*rows)[6];
  conv.strideW = (*cols)[4];
  conv.dilationW = (*cols)[7];
  if (conv.strideH <= 0 || conv.strideW <= 0 || conv.dilationH <= 0 ||
      conv.dilationW <= 0) {
    why = "non-positive stride or dilation";
    return failure();
  }
  return conv;
}
