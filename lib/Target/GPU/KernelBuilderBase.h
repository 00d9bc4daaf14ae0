//===- KernelBuilderBase.h - Index math of the GPU kernel builders -*- C++ -*-===//
//
// Internal to lib/Target/GPU. The hand-built kernels (mma.sync and wgmma
// matmuls, MFMA, int8 products, flash attention) emit their thread and
// tile index math as arith ops on `index` values at one location. Each
// builder derives from KernelBuilderBase for the constants, the arithmetic
// helpers and the "only where index < bound" guard; `Idx` lets the layout
// formulas of FlashAttentionLayout.h and WarpgroupLayout.h, which are
// templates over the index type, be instantiated on IR values.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_KERNELBUILDERBASE_H
#define DS_LIB_TARGET_GPU_KERNELBUILDERBASE_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::ds::gpu_kernel {

/// An `index` value with the operators of the layout formulas: each emits
/// one arith op (none for + 0, * 1 and / 1). Division and remainder are
/// unsigned: every index here is non-negative.
struct Idx {
  OpBuilder *b;
  Location loc;
  Value v;

  Value cst(int64_t c) const {
    return arith::ConstantIndexOp::create(*b, loc, c);
  }
  Idx wrap(Value x) const { return {b, loc, x}; }
  Idx operator+(int64_t c) const {
    if (c == 0)
      return *this;
    return wrap(arith::AddIOp::create(*b, loc, v, cst(c)));
  }
  Idx operator+(const Idx &o) const {
    return wrap(arith::AddIOp::create(*b, loc, v, o.v));
  }
  Idx operator-(const Idx &o) const {
    return wrap(arith::SubIOp::create(*b, loc, v, o.v));
  }
  Idx operator*(int64_t c) const {
    if (c == 1)
      return *this;
    return wrap(arith::MulIOp::create(*b, loc, v, cst(c)));
  }
  Idx operator/(int64_t c) const {
    if (c == 1)
      return *this;
    return wrap(arith::DivUIOp::create(*b, loc, v, cst(c)));
  }
  Idx operator%(int64_t c) const {
    return wrap(arith::RemUIOp::create(*b, loc, v, cst(c)));
  }
  Idx operator^(const Idx &o) const {
    return wrap(arith::XOrIOp::create(*b, loc, v, o.v));
  }
  operator Value() const { return v; }
};

/// The builder and location a kernel is built at, and the helpers every
/// kernel builder uses on them.
/// (The helpers are public: the layout templates of QuantizedFragments.h
/// call them on the builder.)
class KernelBuilderBase {
public:
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value fcst(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Idx idx(Value v) { return {&b, loc, v}; }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, cst(y)); }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, cst(y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, cst(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, cst(y));
  }
  /// A constant of zeros of `type` (a splat for vector types).
  Value zeros(Type type) {
    return arith::ConstantOp::create(b, loc, type,
                                     cast<TypedAttr>(b.getZeroAttr(type)));
  }

  /// Builds `body` for the threads or rows whose `index` is below `bound`:
  /// as is when `alwaysBelow` (the tiling guarantees it), else inside
  /// `scf.if index < bound` (unsigned). The insertion point is back after
  /// the guard when this returns.
  void ifBelow(Value index, int64_t bound, bool alwaysBelow,
               llvm::function_ref<void()> body) {
    if (alwaysBelow) {
      body();
      return;
    }
    Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        index, cst(bound));
    auto guard = scf::IfOp::create(b, loc, below, /*withElse=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    body();
  }

protected:
  KernelBuilderBase(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;
};

} // namespace mlir::ds::gpu_kernel

#endif // DS_LIB_TARGET_GPU_KERNELBUILDERBASE_H
