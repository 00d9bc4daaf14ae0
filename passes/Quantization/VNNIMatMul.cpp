//===- VNNIMatMul.cpp - dsq.qmatmul as an AVX-512 VNNI kernel -------------===//
//
// vpdpbusd multiplies 4 unsigned bytes by 4 signed bytes and adds the four
// products to a 32-bit lane, 16 lanes per instruction. The kernel:
//
//   for each block of MR rows, each NR blocks of 16 output channels:
//     for each weight group g:
//       iacc[r] = sum over the group's K of vpdpbusd(x[r] + 128, w)
//       facc[r] += f32(iacc[r] - 128 * sum_g(w)) * wscale[g]
//     out[r] = facc[r] * xscale[r] + bias
//
// Activations are signed (symmetric), vpdpbusd wants them unsigned: adding
// 128 (an xor of the sign bit) and subtracting 128 * the group's weight sum,
// precomputed here at compile time, gives the signed product exactly. The
// weights are repacked at compile time (WeightQuantizer.h); 4-bit weights
// stay packed in memory and are sign-extended in registers by two shifts.
//
// The loops are scf.for over tensors with vector.transfer_read/write, so
// one-shot bufferization handles them like any other tensor code; the dot
// product is dsq.dot4, which convert-to-llvm turns into vpdpbusd.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/LowerQuantized.h"
#include "passes/Quantization/WeightQuantizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;
namespace dsq = mlir::ds::quant;

/// Rows of activations per register block: 4 rows share each weight load,
/// and up to 4 blocks of 16 channels share each activation broadcast, so a
/// step of K issues up to 16 independent vpdpbusd.
static constexpr int64_t kRowBlock = 4;

namespace {
struct KernelValues {
  Value x, xScale, tiles, sums, scales, bias;
  int64_t bits, groups, chunksPerGroup, bytesPerChunkK;
  bool perRowScale;
};
} // namespace

static Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Emits rows [lower, upper) in steps of `rows`, `cols` blocks of 16
/// channels at a time (rows x cols accumulators), writing into `out`.
static Value emitRowLoop(OpBuilder &b, Location loc, const KernelValues &kv,
                         Value out, Value lower, Value upper, int64_t rows,
                         int64_t cols, int64_t blocks) {
  auto i8x64 = VectorType::get({64}, b.getI8Type());
  auto i8x4 = VectorType::get({4}, b.getI8Type());
  auto i32x1 = VectorType::get({1}, b.getI32Type());
  auto i32x16 = VectorType::get({16}, b.getI32Type());
  auto f32x16 = VectorType::get({16}, b.getF32Type());
  int64_t tile = rows * cols;

  // Channel blocks outside, rows inside: a tile of weights (cols x 16
  // channels x K bytes) stays in cache while every row streams past it.
  auto blockLoop = scf::ForOp::create(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, blocks),
      indexConst(b, loc, cols), ValueRange{out},
      [&](OpBuilder &b, Location loc, Value nb0, ValueRange outerArgs) {
        auto rowLoop = scf::ForOp::create(
            b, loc, lower, upper, indexConst(b, loc, rows), outerArgs,
            [&](OpBuilder &b, Location loc, Value m, ValueRange blockArgs) {
              Value fzero = arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(f32x16, 0.0f));
              Value izero = arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(i32x16, int32_t(0)));
              SmallVector<Value> fInit(tile, fzero), iInit(tile, izero);
              Value c0 = indexConst(b, loc, 0);
              SmallVector<Value> rowIndex, block;
              for (int64_t r = 0; r < rows; ++r)
                rowIndex.push_back(
                    r == 0 ? m
                           : arith::AddIOp::create(b, loc, m,
                                                   indexConst(b, loc, r)));
              for (int64_t j = 0; j < cols; ++j)
                block.push_back(
                    j == 0 ? nb0
                           : arith::AddIOp::create(b, loc, nb0,
                                                   indexConst(b, loc, j)));

              auto groupLoop = scf::ForOp::create(
                  b, loc, c0, indexConst(b, loc, kv.groups),
                  indexConst(b, loc, 1), fInit,
                  [&](OpBuilder &b, Location loc, Value g, ValueRange facc) {
                    auto chunkLoop = scf::ForOp::create(
                        b, loc, indexConst(b, loc, 0),
                        indexConst(b, loc, kv.chunksPerGroup),
                        indexConst(b, loc, 1), iInit,
                        [&](OpBuilder &b, Location loc, Value c,
                            ValueRange iacc) {
                          Value chunk = arith::AddIOp::create(
                              b, loc,
                              arith::MulIOp::create(
                                  b, loc, g,
                                  indexConst(b, loc, kv.chunksPerGroup)),
                              c);
                          Value pad8 = arith::ConstantIntOp::create(
                              b, loc, b.getI8Type(), 0);
                          Value zeroIdx = indexConst(b, loc, 0);
                          // Per block: (weights, K offset within the chunk).
                          SmallVector<SmallVector<std::pair<Value, int64_t>>>
                              operands(cols);
                          for (int64_t j = 0; j < cols; ++j) {
                            Value w = vector::TransferReadOp::create(
                                b, loc, i8x64, kv.tiles,
                                ValueRange{block[j], chunk, zeroIdx}, pad8,
                                ArrayRef<bool>{true});
                            if (kv.bits == 8) {
                              operands[j].push_back({w, 0});
                              continue;
                            }
                            Value four = arith::ConstantOp::create(
                                b, loc,
                                DenseElementsAttr::get(i8x64, int8_t(4)));
                            Value lo = arith::ShRSIOp::create(
                                b, loc, arith::ShLIOp::create(b, loc, w, four),
                                four);
                            Value hi = arith::ShRSIOp::create(b, loc, w, four);
                            operands[j].push_back({lo, 0});
                            operands[j].push_back({hi, 4});
                          }
                          Value kBase = arith::MulIOp::create(
                              b, loc, chunk,
                              indexConst(b, loc, kv.bytesPerChunkK));
                          SmallVector<Value> next(iacc.begin(), iacc.end());
                          for (size_t o = 0; o < operands[0].size(); ++o) {
                            int64_t offset = operands[0][o].second;
                            Value k = offset == 0
                                          ? kBase
                                          : arith::AddIOp::create(
                                                b, loc, kBase,
                                                indexConst(b, loc, offset));
                            for (int64_t r = 0; r < rows; ++r) {
                              // 4 activation bytes (already offset to
                              // unsigned), broadcast to all 16 lanes.
                              Value a = vector::TransferReadOp::create(
                                  b, loc, i8x4, kv.x,
                                  ValueRange{rowIndex[r], k}, pad8,
                                  ArrayRef<bool>{true});
                              Value word = vector::ExtractOp::create(
                                  b, loc,
                                  vector::BitCastOp::create(b, loc, i32x1, a),
                                  ArrayRef<int64_t>{0});
                              Value splat = vector::BitCastOp::create(
                                  b, loc, i8x64,
                                  vector::BroadcastOp::create(b, loc, i32x16,
                                                              word));
                              for (int64_t j = 0; j < cols; ++j) {
                                Value &acc = next[r * cols + j];
                                acc = dsq::Dot4Op::create(
                                    b, loc, i32x16, acc, splat,
                                    operands[j][o].first);
                              }
                            }
                          }
                          scf::YieldOp::create(b, loc, next);
                        });
                    Value zeroIdx = indexConst(b, loc, 0);
                    SmallVector<Value> next;
                    SmallVector<Value> sums, scales;
                    for (int64_t j = 0; j < cols; ++j) {
                      sums.push_back(vector::TransferReadOp::create(
                          b, loc, i32x16, kv.sums,
                          ValueRange{block[j], g, zeroIdx},
                          arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                                       0),
                          ArrayRef<bool>{true}));
                      scales.push_back(vector::TransferReadOp::create(
                          b, loc, f32x16, kv.scales,
                          ValueRange{block[j], g, zeroIdx},
                          arith::ConstantOp::create(b, loc,
                                                    b.getF32FloatAttr(0)),
                          ArrayRef<bool>{true}));
                    }
                    for (int64_t r = 0; r < rows; ++r)
                      for (int64_t j = 0; j < cols; ++j) {
                        Value exact = arith::SubIOp::create(
                            b, loc, chunkLoop.getResult(r * cols + j), sums[j]);
                        Value f =
                            arith::SIToFPOp::create(b, loc, f32x16, exact);
                        next.push_back(vector::FMAOp::create(
                            b, loc, f, scales[j], facc[r * cols + j]));
                      }
                    scf::YieldOp::create(b, loc, next);
                  });

              Value result = blockArgs[0];
              for (int64_t j = 0; j < cols; ++j) {
                Value col = arith::MulIOp::create(b, loc, block[j],
                                                  indexConst(b, loc, 16));
                Value bias = vector::TransferReadOp::create(
                    b, loc, f32x16, kv.bias, ValueRange{col},
                    arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)),
                    ArrayRef<bool>{true});
                for (int64_t r = 0; r < rows; ++r) {
                  Value xs;
                  if (kv.perRowScale)
                    xs = tensor::ExtractOp::create(
                        b, loc, kv.xScale, ValueRange{rowIndex[r], c0});
                  else
                    xs = tensor::ExtractOp::create(b, loc, kv.xScale,
                                                   ValueRange{});
                  Value xsv = vector::BroadcastOp::create(b, loc, f32x16, xs);
                  Value y = vector::FMAOp::create(
                      b, loc, groupLoop.getResult(r * cols + j), xsv, bias);
                  result = vector::TransferWriteOp::create(
                               b, loc, y, result, ValueRange{rowIndex[r], col},
                               ArrayRef<bool>{true})
                               .getResult();
                }
              }
              scf::YieldOp::create(b, loc, result);
            });
        scf::YieldOp::create(b, loc, rowLoop.getResults());
      });
  return blockLoop.getResult(0);
}

/// x + 128 as unsigned bytes (an xor of the sign bit), once per element
/// instead of once per use in the kernel.
static Value offsetToUnsigned(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, x),
                                        type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x}, ValueRange{empty},
             ArrayRef<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value sign = arith::ConstantIntOp::create(
                   nb, l, nb.getI8Type(), -128);
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::XOrIOp::create(nb, l, args[0], sign)});
             })
      .getResult(0);
}

LogicalResult mlir::ds::lowerQMatMulToVNNI(dsq::QMatMulOp op) {
  if (!op.getLhsScale())
    return failure();
  auto weight = op.getWeight().getDefiningOp<dsq::WeightOp>();
  if (!weight || weight.getScale() != op.getWeightScale())
    return failure();
  int64_t bits = op.getBits();
  int64_t k = weight.getReductionSize(), group = weight.getGroupSize();
  int64_t n = weight.getWeight().getType().getDimSize(0);
  int64_t step = bits == 8 ? 4 : 8;
  if (k % step != 0 || group % step != 0)
    return failure();

  auto valuesAttr = dyn_cast<DenseIntElementsAttr>(weight.getValues());
  auto scalesAttr = dyn_cast<DenseFPElementsAttr>(weight.getScales());
  if (!valuesAttr || !scalesAttr)
    return failure();
  std::vector<float> bias(n, 0.0f);
  if (Value b = op.getBias()) {
    ElementsAttr attr;
    if (!matchPattern(b, m_Constant(&attr)))
      return failure();
    auto values = attr.tryGetValues<float>();
    if (!values)
      return failure();
    bias.assign(values->begin(), values->end());
  }
  QuantizedWeights q;
  for (APInt v : valuesAttr.getValues<APInt>())
    q.values.push_back(static_cast<int8_t>(v.getSExtValue()));
  for (float v : scalesAttr.getValues<float>())
    q.scales.push_back(v);
  VNNIPackedWeights packed = packForVNNI(q, n, k, bits, group);
  int64_t blocks = packed.blocks, groups = k / group;
  int64_t chunks = k / step;
  bias.resize(blocks * 16, 0.0f);

  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto constant = [&](ArrayRef<int64_t> shape, Type elementType,
                      auto data) -> Value {
    auto type = RankedTensorType::get(shape, elementType);
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, data));
  };
  KernelValues kv;
  kv.bits = bits;
  kv.groups = groups;
  kv.chunksPerGroup = group / step;
  kv.bytesPerChunkK = step;
  kv.tiles = constant({blocks, chunks, 64}, b.getI8Type(),
                      ArrayRef<int8_t>(packed.tiles));
  kv.sums = constant({blocks, groups, 16}, b.getI32Type(),
                     ArrayRef<int32_t>(packed.sums));
  kv.scales = constant({blocks, groups, 16}, b.getF32Type(),
                       ArrayRef<float>(packed.scales));
  kv.bias = constant({blocks * 16}, b.getF32Type(), ArrayRef<float>(bias));

  // Rows: the lhs as [P, K], the scale as [P, 1] (or rank 0).
  RankedTensorType lhsType = op.getLhs().getType();
  int64_t rank = lhsType.getRank();
  SmallVector<ReassociationIndices> collapse;
  if (rank > 2) {
    ReassociationIndices leading;
    for (int64_t i = 0; i + 1 < rank; ++i)
      leading.push_back(i);
    collapse = {leading, {rank - 1}};
  }
  kv.x = op.getLhs();
  kv.xScale = op.getLhsScale();
  kv.perRowScale = op.getLhsScale().getType().getRank() != 0;
  if (rank == 1) {
    return failure();
  } else if (rank > 2) {
    kv.x = tensor::CollapseShapeOp::create(b, loc, kv.x, collapse);
    if (kv.perRowScale)
      kv.xScale = tensor::CollapseShapeOp::create(b, loc, kv.xScale, collapse);
  }
  kv.x = offsetToUnsigned(b, loc, kv.x);
  Value rowsTotal = tensor::DimOp::create(b, loc, kv.x, 0);
  int64_t staticRows = cast<RankedTensorType>(kv.x.getType()).getDimSize(0);

  // Written in whole blocks of 16 channels, then sliced to N.
  auto paddedType =
      RankedTensorType::get({staticRows, blocks * 16}, b.getF32Type());
  SmallVector<Value> dynamicRows;
  if (ShapedType::isDynamic(staticRows))
    dynamicRows.push_back(rowsTotal);
  Value out = tensor::EmptyOp::create(b, loc, paddedType, dynamicRows);
  Value blockRows = arith::MulIOp::create(
      b, loc,
      arith::DivUIOp::create(b, loc, rowsTotal, indexConst(b, loc, kRowBlock)),
      indexConst(b, loc, kRowBlock));
  int64_t cols = blocks % 4 == 0 ? 4 : blocks % 2 == 0 ? 2 : 1;
  out = emitRowLoop(b, loc, kv, out, indexConst(b, loc, 0), blockRows,
                    kRowBlock, cols, blocks);
  out = emitRowLoop(b, loc, kv, out, blockRows, rowsTotal, 1, cols, blocks);

  Value result = out;
  if (blocks * 16 != n) {
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(0)};
    OpFoldResult rowSize = ShapedType::isDynamic(staticRows)
                               ? OpFoldResult(rowsTotal)
                               : OpFoldResult(b.getIndexAttr(staticRows));
    SmallVector<OpFoldResult> sizes{rowSize, b.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(1)};
    result = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({staticRows, n}, b.getF32Type()), out,
        offsets, sizes, strides);
  }
  if (rank > 2) {
    SmallVector<OpFoldResult> shape =
        tensor::getMixedSizes(b, loc, op.getLhs());
    shape.back() = b.getIndexAttr(n);
    result = tensor::ExpandShapeOp::create(b, loc, op.getResult().getType(),
                                           result, collapse, shape);
  }
  (void)ctx;
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}
