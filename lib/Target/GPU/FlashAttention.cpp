//===- FlashAttention.cpp - dsg.attention → one flash-attention kernel ----===//
//
// FlashAttention's algorithm as one gpu.launch per dsg.attention:
//
//   grid = (ceil(Lq / BQ), B · Hq), block = BQ threads, one query row each.
//   A thread keeps its scaled query row, the running maximum m, the running
//   sum l and a Dv-wide f32 accumulator in registers. The block walks the
//   key/value sequence in tiles of BKV rows, staged through workgroup memory
//   (converted to f32 once, shared by the BQ rows of the block):
//
//     s_j   = q · k_j  (+ mask | -inf where masked, past Lk or above the
//                       causal diagonal)
//     m'    = max(m, max_j s_j);  alpha = exp(m - m');  p_j = exp(s_j - m')
//     l     = l · alpha + Σ p_j;  acc = acc · alpha + Σ p_j v_j
//
//   and writes acc / l. With `causal`, the key loop stops after the last
//   tile the block's bottom row may see (tiles above the diagonal are never
//   loaded). Nothing of size Lq × Lk exists.
//
// Two steps, because buffer deallocation rejects GPU ops (gpu.barrier has
// no memory-effect model): ds-gpu-flash-attention rewrites the op on
// tensors, before dsg → linalg, into a call of a bodiless private function
// tagged `ds.flash_attention` on buffers (operands through
// bufferization.to_buffer, the result a fresh buffer that
// bufferization.to_tensor hands back), which bufferization and deallocation
// treat as an opaque call; ds-gpu-expand-flash-attention, after them,
// replaces each such call with the kernel.
//
//===----------------------------------------------------------------------===//
#include "FlashAttention.h"
#include "KernelBuilderBase.h"
#include "Passes.h"

#include "dialects/Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

namespace mlir::ds {
#define GEN_PASS_DEF_FLASHATTENTIONPASS
#define GEN_PASS_DEF_EXPANDFLASHATTENTIONPASS
#include "lib/Target/GPU/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {
/// Query rows per block (one per thread) and keys per staged tile.
constexpr int64_t kBlockQ = 64;
constexpr int64_t kBlockKV = 16;
/// Largest head dimension kept in registers (q row and accumulator).
constexpr int64_t kMaxHeadDim = 256;

using ds::flash::AttentionShape;

/// The reason the operands cannot use the kernel, or their shape.
FailureOr<AttentionShape> shapeOf(ShapedType q, ShapedType k, ShapedType v,
                                  ShapedType mask, std::string &why) {
  for (ShapedType t : {q, k, v})
    if (!t.hasStaticShape()) {
      why = "dynamic shape";
      return failure();
    }
  if (mask && !mask.hasStaticShape()) {
    why = "dynamic mask shape";
    return failure();
  }
  if (!isa<Float32Type, Float16Type, BFloat16Type>(q.getElementType())) {
    why = "element type";
    return failure();
  }
  AttentionShape s{q.getDimSize(0), q.getDimSize(1), k.getDimSize(1),
                   q.getDimSize(2), k.getDimSize(2), q.getDimSize(3),
                   v.getDimSize(3)};
  if (s.d > kMaxHeadDim || s.dv > kMaxHeadDim) {
    why = "head dimension above " + std::to_string(kMaxHeadDim);
    return failure();
  }
  if (s.lq == 0 || s.lk == 0 || s.b * s.hq == 0) {
    why = "empty";
    return failure();
  }
  return s;
}

constexpr StringLiteral kTag = "ds.flash_attention";
constexpr StringLiteral kScale = "scale";
constexpr StringLiteral kCausal = "causal";

class KernelBuilder : ds::gpu_kernel::KernelBuilderBase {
public:
  KernelBuilder(OpBuilder &b, Location loc, const AttentionShape &s,
                float scale, bool causal, Type inType)
      : KernelBuilderBase(b, loc), s(s), scale(scale), causal(causal), inType(inType) {}

  /// The kernel reading q, k, v (and mask) and writing out, all buffers.
  void build(Value q, Value k, Value v, Value mask, Value out) {
    MLIRContext *ctx = b.getContext();
    auto shared = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    auto f32 = b.getF32Type();
    auto kTile = MemRefType::get({kBlockKV, s.d}, f32,
                                 MemRefLayoutAttrInterface(), shared);
    auto vTile = MemRefType::get({kBlockKV, s.dv}, f32,
                                 MemRefLayoutAttrInterface(), shared);
    auto launch = gpu::LaunchOp::create(
        b, loc, cst((s.lq + kBlockQ - 1) / kBlockQ), cst(s.b * s.hq), cst(1),
        cst(kBlockQ), cst(1), cst(1), nullptr, nullptr, {},
        TypeRange{kTile, vTile});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    buildBody(launch, q, k, v, mask, out);
    gpu::TerminatorOp::create(b, loc);
  }

private:
  /// Alignment of an f32 row of `width` in a 16-byte-aligned shared tile
  /// (ds-gpu-align-workgroup-memory): 16 bytes when rows are multiples of
  /// 16 bytes, so that the row reads become 128-bit shared loads.
  static llvm::MaybeAlign rowAlign(int64_t width) {
    return llvm::MaybeAlign(width % 4 == 0 ? 16 : 4);
  }
  Value toF32(Value x) {
    if (getElementTypeOrSelf(x.getType()).isF32())
      return x;
    Type t = b.getF32Type();
    if (auto vt = dyn_cast<VectorType>(x.getType()))
      t = VectorType::get(vt.getShape(), t);
    return arith::ExtFOp::create(b, loc, t, x);
  }

  /// Cooperative, coalesced copy of rows [k0, k0 + BKV) of `src[bIdx,
  /// head]` (width `width`) into the f32 tile `dst`; rows past Lk read the
  /// last row (their scores are masked).
  void stage(Value src, Value dst, Value bIdx, Value head, Value k0,
             int64_t width, Value tid) {
    int64_t total = kBlockKV * width;
    for (int64_t first = 0; first < total; first += kBlockQ) {
      Value e = add(tid, cst(first));
      auto body = [&]() {
        Value j = arith::DivUIOp::create(b, loc, e, cst(width));
        Value col = arith::RemUIOp::create(b, loc, e, cst(width));
        Value row = arith::MinUIOp::create(b, loc, add(k0, j), cst(s.lk - 1));
        Value x = memref::LoadOp::create(b, loc, src,
                                         ValueRange{bIdx, head, row, col});
        memref::StoreOp::create(b, loc, toF32(x), dst, ValueRange{j, col});
      };
      ifBelow(e, total, first + kBlockQ <= total, body);
    }
  }

  /// Index of a broadcasting mask operand at (batch, head, row, key).
  SmallVector<Value> maskIndices(Value mask, ArrayRef<Value> full) {
    auto shape = cast<MemRefType>(mask.getType()).getShape();
    SmallVector<Value> idx;
    size_t skip = full.size() - shape.size();
    for (auto [i, size] : llvm::enumerate(shape))
      idx.push_back(size == 1 ? cst(0) : full[skip + i]);
    return idx;
  }

  void buildBody(gpu::LaunchOp launch, Value q, Value k, Value v, Value mask,
                 Value out) {
    auto f32 = b.getF32Type();
    Value kShared = launch.getWorkgroupAttributions()[0];
    Value vShared = launch.getWorkgroupAttributions()[1];
    Value tid = launch.getThreadIds().x;
    Value bh = launch.getBlockIds().y;
    Value bIdx = arith::DivUIOp::create(b, loc, bh, cst(s.hq));
    Value head = arith::RemUIOp::create(b, loc, bh, cst(s.hq));
    Value kvHead =
        arith::DivUIOp::create(b, loc, head, cst(s.hq / s.hkv));
    Value qStart = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                         cst(kBlockQ));
    Value row = add(qStart, tid);
    // Rows past Lq compute on the last row and do not store.
    Value rowIn = arith::MinUIOp::create(b, loc, row, cst(s.lq - 1));

    auto qType = VectorType::get({s.d}, inType);
    auto qF32 = VectorType::get({s.d}, f32);
    auto accType = VectorType::get({s.dv}, f32);
    Value qRow = toF32(vector::LoadOp::create(
        b, loc, qType, q, ValueRange{bIdx, head, rowIn, cst(0)}));
    qRow = arith::MulFOp::create(
        b, loc, qRow,
        vector::BroadcastOp::create(b, loc, qF32, fcst(scale)));

    // Keys this block visits: all of them, or up to the last one its
    // bottom row may see under the causal triangle.
    Value keyEnd = cst(s.lk);
    if (causal) {
      Value lastRow = arith::MinUIOp::create(
          b, loc, add(qStart, cst(kBlockQ - 1)), cst(s.lq - 1));
      // lastRow + (Lk - Lq) + 1, clamped to [0, Lk].
      Value end = arith::AddIOp::create(b, loc, lastRow,
                                        cst(s.lk - s.lq + 1));
      end = arith::MaxSIOp::create(b, loc, end, cst(0));
      keyEnd = arith::MinSIOp::create(b, loc, end, cst(s.lk));
    }
    Value numTiles = arith::CeilDivSIOp::create(b, loc, keyEnd,
                                                cst(kBlockKV));
    Value negInf = fcst(-std::numeric_limits<double>::infinity());
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, accType, DenseElementsAttr::get(accType, b.getF32FloatAttr(0)));
    auto loop = scf::ForOp::create(b, loc, cst(0), numTiles, cst(1),
                                   ValueRange{negInf, fcst(0), zeroAcc});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value m = loop.getRegionIterArgs()[0];
      Value l = loop.getRegionIterArgs()[1];
      Value acc = loop.getRegionIterArgs()[2];
      Value k0 = arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                       cst(kBlockKV));
      stage(k, kShared, bIdx, kvHead, k0, s.d, tid);
      stage(v, vShared, bIdx, kvHead, k0, s.dv, tid);
      gpu::BarrierOp::create(b, loc);

      // Scores of the tile, in registers.
      SmallVector<Value> scores;
      Value tileMax = negInf;
      for (int64_t j = 0; j < kBlockKV; ++j) {
        Value kRow = vector::LoadOp::create(
            b, loc, qF32, kShared, ValueRange{cst(j), cst(0)},
            /*nontemporal=*/false, rowAlign(s.d));
        Value prod = arith::MulFOp::create(b, loc, qRow, kRow);
        Value score = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, prod);
        Value key = add(k0, cst(j));
        if (mask) {
          Value keyIn =
              arith::MinUIOp::create(b, loc, key, cst(s.lk - 1));
          SmallVector<Value> idx =
              maskIndices(mask, {bIdx, head, rowIn, keyIn});
          Value mv = memref::LoadOp::create(b, loc, mask, idx);
          if (mv.getType().isInteger(1))
            score = arith::SelectOp::create(b, loc, mv, score, negInf);
          else
            score = arith::AddFOp::create(b, loc, score, toF32(mv));
        }
        Value masked = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::sge, key, cst(s.lk));
        if (causal) {
          Value diag = add(rowIn, cst(s.lk - s.lq));
          Value above = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::sgt, key, diag);
          masked = arith::OrIOp::create(b, loc, masked, above);
        }
        score = arith::SelectOp::create(b, loc, masked, negInf, score);
        scores.push_back(score);
        tileMax = arith::MaximumFOp::create(b, loc, tileMax, score);
      }
      // Online softmax: rescale what was accumulated to the new maximum.
      // While every score so far is -inf, use 0 as the reference so that
      // exp gives 0 (not NaN) and nothing accumulates.
      Value mNew = arith::MaximumFOp::create(b, loc, m, tileMax);
      Value isNegInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                             mNew, negInf);
      Value ref = arith::SelectOp::create(b, loc, isNegInf, fcst(0), mNew);
      Value alpha = math::ExpOp::create(
          b, loc, arith::SubFOp::create(b, loc, m, ref));
      Value newL = arith::MulFOp::create(b, loc, l, alpha);
      Value newAcc = arith::MulFOp::create(
          b, loc, acc, vector::BroadcastOp::create(b, loc, accType, alpha));
      for (int64_t j = 0; j < kBlockKV; ++j) {
        Value p = math::ExpOp::create(
            b, loc, arith::SubFOp::create(b, loc, scores[j], ref));
        newL = arith::AddFOp::create(b, loc, newL, p);
        Value vRow = vector::LoadOp::create(
            b, loc, accType, vShared, ValueRange{cst(j), cst(0)},
            /*nontemporal=*/false, rowAlign(s.dv));
        newAcc = vector::FMAOp::create(
            b, loc, vector::BroadcastOp::create(b, loc, accType, p), vRow,
            newAcc);
      }
      // The next tile overwrites what slower threads may still read.
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, ValueRange{mNew, newL, newAcc});
    }

    // acc / l (0 / 0 = NaN for a fully masked row, as softmax gives).
    Value l = loop.getResult(1);
    Value result = arith::DivFOp::create(
        b, loc, loop.getResult(2),
        vector::BroadcastOp::create(b, loc, accType, l));
    Type outElem = cast<MemRefType>(out.getType()).getElementType();
    if (!outElem.isF32())
      result = arith::TruncFOp::create(
          b, loc, VectorType::get({s.dv}, outElem), result);
    ifBelow(row, s.lq, /*alwaysBelow=*/false, [&] {
      vector::StoreOp::create(b, loc, result, out,
                              ValueRange{bIdx, head, row, cst(0)});
    });
  }

  const AttentionShape &s;
  float scale;
  bool causal;
  Type inType;
};

struct FlashAttentionPass
    : ds::impl::FlashAttentionPassBase<FlashAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<ds::graph::AttentionOp> ops;
    module.walk([&](ds::graph::AttentionOp op) { ops.push_back(op); });
    for (ds::graph::AttentionOp op : ops) {
      Value maskValue = op.getMask();
      std::string why;
      FailureOr<AttentionShape> shape = shapeOf(
          cast<ShapedType>(op.getQuery().getType()),
          cast<ShapedType>(op.getKey().getType()),
          cast<ShapedType>(op.getValue().getType()),
          maskValue ? cast<ShapedType>(maskValue.getType()) : ShapedType(),
          why);
      if (failed(shape)) {
        if (reportSkipped)
          op->emitRemark() << "attention left to the generic lowering: "
                           << why;
        continue;
      }
      OpBuilder b(op);
      Location loc = op.getLoc();
      auto buffer = [&](Value tensor) -> Value {
        auto t = cast<RankedTensorType>(tensor.getType());
        auto toBuffer = bufferization::ToBufferOp::create(
            b, loc, MemRefType::get(t.getShape(), t.getElementType()),
            tensor);
        toBuffer.setReadOnly(true);
        return toBuffer;
      };
      SmallVector<Value> operands{buffer(op.getQuery()), buffer(op.getKey()),
                                  buffer(op.getValue())};
      if (maskValue)
        operands.push_back(buffer(maskValue));
      auto resultType = cast<RankedTensorType>(op.getType());
      Value out = memref::AllocOp::create(
          b, loc,
          MemRefType::get(resultType.getShape(),
                          resultType.getElementType()));
      operands.push_back(out);

      // The kernel's stand-in: a private declaration carrying the
      // attributes; the call's operand types give the shapes.
      auto decl = func::FuncOp::create(
          loc, "ds_flash_attention",
          b.getFunctionType(ValueRange(operands).getTypes(), {}));
      decl.setPrivate();
      decl->setAttr(kTag, b.getDictionaryAttr(
                              {b.getNamedAttr(kScale, op.getScaleAttr()),
                               b.getNamedAttr(kCausal,
                                              b.getBoolAttr(op.getCausal()))}));
      // Renamed (ds_flash_attention_0, ...) when the name is taken.
      symbols.insert(decl, module.getBody()->begin());
      func::CallOp::create(b, loc, decl, operands);
      auto toTensor = bufferization::ToTensorOp::create(
          b, loc, resultType, out, /*restrict=*/true, /*writable=*/true);
      op.getResult().replaceAllUsesWith(toTensor.getResult());
      op->erase();
    }
  }
};

struct ExpandFlashAttentionPass
    : ds::impl::ExpandFlashAttentionPassBase<ExpandFlashAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> decls;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(kTag))
        decls.push_back(fn);
    if (decls.empty())
      return;
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (callee && callee->hasAttr(kTag))
        calls.push_back(call);
    });
    for (func::CallOp call : calls) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      auto params = callee->getAttrOfType<DictionaryAttr>(kTag);
      auto scaleAttr = params ? params.getAs<FloatAttr>(kScale) : nullptr;
      auto causalAttr = params ? params.getAs<BoolAttr>(kCausal) : nullptr;
      ValueRange args = call.getOperands();
      auto memref = [&](unsigned i) {
        return i < args.size() ? dyn_cast<MemRefType>(args[i].getType())
                               : MemRefType();
      };
      bool hasMask = args.size() == 5;
      std::string why;
      if (!scaleAttr || !causalAttr || (args.size() != 4 && !hasMask) ||
          !memref(0) || !memref(1) || !memref(2) || !memref(3) ||
          (hasMask && !memref(4))) {
        call.emitError() << "ds-gpu-expand-flash-attention: expected a call "
                            "of (query, key, value[, mask], result) buffers "
                            "and a callee with '"
                         << kTag << "' = {scale: f32, causal: bool}";
        return signalPassFailure();
      }
      // A null MemRefType must not be converted to ShapedType (the implicit
      // conversion casts, which is undefined on a null type).
      ShapedType maskType = hasMask ? ShapedType(memref(3)) : ShapedType();
      FailureOr<AttentionShape> shape =
          shapeOf(memref(0), memref(1), memref(2), maskType, why);
      if (failed(shape)) {
        call.emitError() << "ds-gpu-expand-flash-attention: " << why;
        return signalPassFailure();
      }
      for (unsigned i = 0; i < args.size(); ++i)
        if (!memref(i).getLayout().isIdentity()) {
          call.emitError() << "ds-gpu-expand-flash-attention: operand " << i
                           << " does not have the identity layout";
          return signalPassFailure();
        }
      OpBuilder b(call);
      Type inType = memref(0).getElementType();
      // The tensor-core kernel when it takes the call, else the SIMT one.
      std::optional<std::string> simtReason = "tensor cores disabled";
      if (tensorCores) {
        simtReason = ds::flash::tensorCoreRejection(
            *shape, inType, memref(args.size() - 1).getElementType());
        if (!simtReason && (memref(1).getElementType() != inType ||
                            memref(2).getElementType() != inType))
          simtReason = "query, key and value element types differ";
      }
      if (!simtReason) {
        ds::flash::buildTensorCoreFlashAttention(
            b, call.getLoc(), *shape, scaleAttr.getValue().convertToFloat(),
            causalAttr.getValue(), args[0], args[1], args[2],
            hasMask ? args[3] : Value(), args.back());
        call.erase();
        continue;
      }
      if (reportSimt)
        call.emitRemark() << "flash attention on the SIMT kernel: "
                          << *simtReason;
      KernelBuilder(b, call.getLoc(), *shape,
                    scaleAttr.getValue().convertToFloat(),
                    causalAttr.getValue(), memref(0).getElementType())
          .build(args[0], args[1], args[2], hasMask ? args[3] : Value(),
                 args.back());
      call.erase();
    }
    for (func::FuncOp decl : decls)
      if (decl.symbolKnownUseEmpty(module))
        decl.erase();
  }
};
} // namespace
