//===- QuantToLLVM.cpp - the dsq ops that reach convert-to-llvm -----------===//
//
// Only the kernel building block dsq.dot4 survives ds-lower-quantized; it
// becomes the vpdpbusd intrinsic here, through the dialect interface that
// the generic convert-to-llvm pass queries.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/Passes.h"

#include "mlir/Conversion/ConvertToLLVM/ToLLVMInterface.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
namespace dsq = mlir::ds::quant;

namespace {
struct Dot4ToIntrinsic : public ConvertOpToLLVMPattern<dsq::Dot4Op> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult
  matchAndRewrite(dsq::Dot4Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t lanes = op.getAcc().getType().getNumElements();
    StringRef name;
    if (lanes == 16)
      name = "llvm.x86.avx512.vpdpbusd.512";
    else if (lanes == 8)
      name = "llvm.x86.avx512.vpdpbusd.256";
    else
      return rewriter.notifyMatchFailure(op, "no vpdpbusd of this width");
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr(name),
        ValueRange{adaptor.getAcc(), adaptor.getA(), adaptor.getB()});
    return success();
  }
};

struct QuantToLLVMInterface : public ConvertToLLVMPatternInterface {
  using ConvertToLLVMPatternInterface::ConvertToLLVMPatternInterface;

  void populateConvertToLLVMConversionPatterns(
      ConversionTarget &target, LLVMTypeConverter &typeConverter,
      RewritePatternSet &patterns) const final {
    patterns.add<Dot4ToIntrinsic>(typeConverter);
  }
};
} // namespace

void mlir::ds::registerQuantToLLVMInterface(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *, dsq::DSQDialect *dialect) {
    dialect->addInterfaces<QuantToLLVMInterface>();
  });
}
