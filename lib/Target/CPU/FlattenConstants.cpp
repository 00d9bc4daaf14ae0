//===- FlattenConstants.cpp - N-D tensor constants → 1-D + expand ---------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ds {
#define GEN_PASS_DEF_FLATTENCONSTANTSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// The same value as `attr` with the 1-D type `flat`, or null for attribute
/// kinds we do not know how to retype without copying.
ElementsAttr flatten(ElementsAttr attr, RankedTensorType flat) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.reshape(flat);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(flat, resource.getRawHandle());
  return nullptr;
}

struct FlattenConstantsPass
    : ds::impl::FlattenConstantsPassBase<FlattenConstantsPass> {
  void runOnOperation() override {
    SmallVector<arith::ConstantOp> constants;
    getOperation().walk([&](arith::ConstantOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getType());
      // Splats stay: they fold into their users and never become globals.
      auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
      if (type && type.getRank() >= 2 && type.hasStaticShape() &&
          !(dense && dense.isSplat()))
        constants.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (arith::ConstantOp op : constants) {
      auto type = cast<RankedTensorType>(op.getType());
      auto flatType =
          RankedTensorType::get({type.getNumElements()}, type.getElementType());
      ElementsAttr value = flatten(cast<ElementsAttr>(op.getValue()), flatType);
      if (!value)
        continue;
      rewriter.setInsertionPoint(op);
      Value flat = arith::ConstantOp::create(rewriter, op.getLoc(), flatType,
                                             cast<TypedAttr>(value));
      ReassociationIndices all =
          llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, type, flat, ArrayRef<ReassociationIndices>{all});
    }
  }
};
} // namespace
