//===- LowerBF16Mma.cpp - bf16 nvgpu.mma.sync → nvvm.mma.sync -------------===//
//
// MLIR's nvgpu → nvvm conversion deduces PTX types for f16, tf32, f64 and
// integer mma.sync but not bf16 ("failed to deduce operand PTX types"),
// although the instruction (mma.sync.aligned.m16n8k16.row.col.f32.bf16.
// bf16.f32, sm_80+) and NVVM's op accept it. This rewrite fills that gap
// for the one shape ds emits: each 2 × bf16 row of the A and B fragments is
// one 32-bit register, the accumulator four f32 values.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ds {
#define GEN_PASS_DEF_LOWERBF16MMAPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
struct BF16MmaToNVVM : OpRewritePattern<nvgpu::MmaSyncOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nvgpu::MmaSyncOp op,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<VectorType>(op.getMatrixA().getType());
    auto bType = cast<VectorType>(op.getMatrixB().getType());
    auto cType = cast<VectorType>(op.getMatrixC().getType());
    if (!aType.getElementType().isBF16())
      return rewriter.notifyMatchFailure(op, "not bf16");
    SmallVector<int64_t> shape = llvm::to_vector(llvm::map_range(
        op.getMmaShape(),
        [](Attribute a) { return cast<IntegerAttr>(a).getInt(); }));
    if (shape != SmallVector<int64_t>{16, 8, 16} ||
        aType.getShape() != ArrayRef<int64_t>{4, 2} ||
        bType.getShape() != ArrayRef<int64_t>{2, 2} ||
        cType.getShape() != ArrayRef<int64_t>{2, 2} ||
        !cType.getElementType().isF32())
      return rewriter.notifyMatchFailure(
          op, "only m16n8k16 bf16 × bf16 + f32 is supported");
    Location loc = op.getLoc();
    auto i32 = rewriter.getI32Type();
    auto f32 = rewriter.getF32Type();
    // Row r of a fragment (2 × bf16) is one b32 register.
    auto registers = [&](Value fragment, int64_t rows) {
      SmallVector<Value> regs;
      for (int64_t r = 0; r < rows; ++r) {
        Value row = vector::ExtractOp::create(rewriter, loc, fragment,
                                              ArrayRef<int64_t>{r});
        Value packed = vector::BitCastOp::create(
            rewriter, loc, VectorType::get({1}, i32), row);
        regs.push_back(vector::ExtractOp::create(rewriter, loc, packed,
                                                 ArrayRef<int64_t>{0}));
      }
      return regs;
    };
    SmallVector<Value> a = registers(op.getMatrixA(), 4);
    SmallVector<Value> b = registers(op.getMatrixB(), 2);
    SmallVector<Value> c;
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t col = 0; col < 2; ++col)
        c.push_back(vector::ExtractOp::create(rewriter, loc,
                                              op.getMatrixC(),
                                              ArrayRef<int64_t>{r, col}));
    auto resultType = LLVM::LLVMStructType::getLiteral(
        rewriter.getContext(), {f32, f32, f32, f32});
    auto mma = NVVM::MmaOp::create(
        rewriter, loc, resultType, a, b, c, shape, std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                      NVVM::MMATypes::bf16},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value> d;
    for (int64_t i = 0; i < 4; ++i)
      d.push_back(LLVM::ExtractValueOp::create(rewriter, loc, mma,
                                               ArrayRef<int64_t>{i}));
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, cType, d);
    return success();
  }
};

struct LowerBF16MmaPass : ds::impl::LowerBF16MmaPassBase<LowerBF16MmaPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<BF16MmaToNVVM>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Whatever bf16 mma.sync remains has a shape this pass cannot lower;
    // say so here rather than let nvgpu → nvvm fail without the reason.
    WalkResult result = getOperation()->walk([](nvgpu::MmaSyncOp op) {
      if (!cast<VectorType>(op.getMatrixA().getType())
               .getElementType()
               .isBF16())
        return WalkResult::advance();
      op.emitError("bf16 mma.sync: only m16n8k16 with vector<4x2xbf16>, "
                   "vector<2x2xbf16> and an f32 vector<2x2xf32> "
                   "accumulator can be lowered");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
