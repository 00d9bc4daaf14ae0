//===- Quantize.cpp - ds-quantize: dsg matrix products to dsq -------------===//
//
// Weights are quantized here, once, from the constant's values; activation
// scales are left to dsq.dynamic_quantize at run time. Every candidate
// product gets a line in the report, quantized or not, so that a user sees
// what stayed float and why.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/Passes.h"
#include "passes/Quantization/WeightQuantizer.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlir::ds {
#define GEN_PASS_DEF_QUANTIZE
#include "passes/Quantization/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace dsg = mlir::ds::graph;
namespace dsq = mlir::ds::quant;

/// The f32 values of a dsg.constant (dense or dense_resource), if `v` is one.
static std::optional<std::vector<float>> getConstantF32(Value v) {
  auto cst = v.getDefiningOp<dsg::ConstantOp>();
  if (!cst)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(cst.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  Attribute value = cst.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto range = dense.getValues<float>();
    return std::vector<float>(range.begin(), range.end());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(value)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    if (data->size() == 1 && type.getNumElements() != 1)
      return std::vector<float>(type.getNumElements(), data->front());
    return std::vector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

static std::string describeLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

namespace {

enum class ActivationMode { PerToken, PerTensor, None };

/// One candidate product: what it is, what was decided, and the bytes.
struct LayerRecord {
  std::string name, op, reason;
  int64_t k = 0, n = 0;
  bool quantized = false;
  int64_t floatBytes = 0, quantizedBytes = 0;
};

struct QuantizePass : public ds::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override;

private:
  /// Rewrites one product, or returns why it stays float.
  std::optional<std::string> quantize(Operation *op, LayerRecord &record);
  LogicalResult writeReport(ArrayRef<LayerRecord> records);

  int64_t bits = 8;
  ActivationMode mode = ActivationMode::PerToken;
};

} // namespace

void QuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  if (weights == "int8") {
    bits = 8;
  } else if (weights == "int4") {
    bits = 4;
    if (groupSize != 32 && groupSize != 64 && groupSize != 128) {
      emitError(module.getLoc()) << "ds-quantize: group must be 32, 64 or 128, found "
                         << groupSize.getValue();
      return signalPassFailure();
    }
  } else {
    emitError(module.getLoc()) << "ds-quantize: weights must be int8 or int4, found '"
                       << weights << "'";
    return signalPassFailure();
  }
  if (activations == "dynamic-per-token") {
    mode = ActivationMode::PerToken;
  } else if (activations == "dynamic-per-tensor") {
    mode = ActivationMode::PerTensor;
  } else if (activations == "none") {
    mode = ActivationMode::None;
  } else if (activations == "target") {
    mode = hostHasInt8DotProduct() ? ActivationMode::PerToken
                                   : ActivationMode::None;
  } else {
    emitError(module.getLoc()) << "ds-quantize: activations must be dynamic-per-token, "
                          "dynamic-per-tensor, none or target, found '"
                       << activations << "'";
    return signalPassFailure();
  }

  SmallVector<Operation *> candidates;
  module.walk([&](Operation *op) {
    if (isa<dsg::MatMulOp, dsg::GemmOp>(op))
      candidates.push_back(op);
  });
  std::vector<LayerRecord> records;
  for (Operation *op : candidates) {
    LayerRecord record;
    record.name = describeLoc(op->getLoc());
    record.op = isa<dsg::MatMulOp>(op) ? "MatMul" : "Gemm";
    if (!layers.empty() && !llvm::is_contained(layers, record.name)) {
      record.reason = "not selected (layers=...)";
      records.push_back(std::move(record));
      continue;
    }
    if (std::optional<std::string> reason = quantize(op, record))
      record.reason = *reason;
    else
      record.quantized = true;
    records.push_back(std::move(record));
  }
  if (!reportPath.empty() && failed(writeReport(records)))
    return signalPassFailure();
}

std::optional<std::string> QuantizePass::quantize(Operation *op,
                                                  LayerRecord &record) {
  Value lhs, rhs, c;
  bool transB = false;
  double alpha = 1.0, beta = 1.0;
  if (auto mm = dyn_cast<dsg::MatMulOp>(op)) {
    lhs = mm.getLhs();
    rhs = mm.getRhs();
  } else {
    auto gemm = cast<dsg::GemmOp>(op);
    if (gemm.getTransA())
      return std::string("transposed A (trans_a) is not supported");
    lhs = gemm.getA();
    rhs = gemm.getB();
    c = gemm.getC();
    transB = gemm.getTransB();
    alpha = gemm.getAlpha().convertToDouble();
    beta = gemm.getBeta().convertToDouble();
  }
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhsType.getElementType().isF32() || !resultType.getElementType().isF32())
    return std::string("only f32 products are quantized");
  if (rhsType.getRank() != 2)
    return std::string("the weight is not a matrix");
  if (lhsType.getRank() < 2)
    return std::string("a vector lhs is not supported");
  std::optional<std::vector<float>> w = getConstantF32(rhs);
  if (!w)
    return std::string("the weight is not a constant");
  int64_t k = rhsType.getDimSize(transB ? 1 : 0);
  int64_t n = rhsType.getDimSize(transB ? 0 : 1);
  record.k = k;
  record.n = n;
  record.floatBytes = 4 * k * n;
  int64_t group = bits == 8 ? k : groupSize;
  if (k % group != 0)
    return "the reduction size " + std::to_string(k) +
           " is not a multiple of the group size " + std::to_string(group);

  // The bias: Gemm's C, or the constant [N] addend of a MatMul's only user.
  std::optional<std::vector<float>> bias;
  Operation *replaced = op;
  if (c) {
    auto cType = cast<RankedTensorType>(c.getType());
    bias = getConstantF32(c);
    if (!bias || cType.getNumElements() != n ||
        cType.getShape().back() != n)
      return std::string("C is not a constant [N] or [1, N] bias");
    for (float &v : *bias)
      v *= static_cast<float>(beta);
  } else if (op->hasOneUse()) {
    if (auto add = dyn_cast<dsg::AddOp>(*op->getUsers().begin())) {
      Value other = add.getLhs() == op->getResult(0) ? add.getRhs()
                                                     : add.getLhs();
      auto otherType = cast<RankedTensorType>(other.getType());
      if (add.getType() == resultType && otherType.getRank() == 1 &&
          otherType.getDimSize(0) == n) {
        bias = getConstantF32(other);
        if (bias)
          replaced = add;
      }
    }
  }

  // [N, K] row-major, scaled by Gemm's alpha.
  std::vector<float> wt(n * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float v = transB ? (*w)[j * k + i] : (*w)[i * n + j];
      wt[j * k + i] = static_cast<float>(alpha) * v;
    }
  QuantizedWeights q = quantizeWeights(wt, n, k, bits, group);

  OpBuilder b(replaced);
  Location loc = op->getLoc();
  MLIRContext *ctx = op->getContext();
  auto i8 = IntegerType::get(ctx, 8);
  auto f32 = Float32Type::get(ctx);
  auto valuesType = RankedTensorType::get({n, bits == 4 ? k / 2 : k}, i8);
  auto scalesType = RankedTensorType::get({n, k / group}, f32);
  auto values = DenseElementsAttr::get(valuesType, ArrayRef<int8_t>(q.values));
  auto scales = DenseElementsAttr::get(scalesType, ArrayRef<float>(q.scales));
  auto weight = dsq::WeightOp::create(b, loc, valuesType, scalesType, values,
                                      scales, b.getI64IntegerAttr(bits),
                                      b.getI64IntegerAttr(group));
  record.quantizedBytes = q.values.size() + 4 * q.scales.size();

  Value biasValue;
  if (bias) {
    auto biasType = RankedTensorType::get({n}, f32);
    biasValue = dsg::ConstantOp::create(
        b, loc, biasType, DenseElementsAttr::get(biasType, ArrayRef(*bias)));
  }
  Value qlhs = lhs, qscale;
  if (mode != ActivationMode::None) {
    SmallVector<int64_t> scaleShape;
    if (mode == ActivationMode::PerToken) {
      scaleShape.assign(lhsType.getShape().begin(), lhsType.getShape().end());
      scaleShape.back() = 1;
    }
    auto dq = dsq::DynamicQuantizeOp::create(
        b, loc, lhsType.clone(i8), RankedTensorType::get(scaleShape, f32), lhs,
        /*bits=*/8,
        mode == ActivationMode::PerToken ? dsq::Granularity::per_row
                                         : dsq::Granularity::per_tensor);
    qlhs = dq.getOutput();
    qscale = dq.getScale();
  }
  auto qmm = dsq::QMatMulOp::create(b, loc, resultType, qlhs, qscale,
                                    weight.getWeight(), weight.getScale(),
                                    biasValue, b.getI64IntegerAttr(bits));
  replaced->getResult(0).replaceAllUsesWith(qmm.getResult());
  if (replaced != op)
    replaced->erase();
  op->erase();
  return std::nullopt;
}

LogicalResult QuantizePass::writeReport(ArrayRef<LayerRecord> records) {
  llvm::json::Array layers;
  int64_t floatBytes = 0, quantizedBytes = 0, unquantizedBytes = 0;
  for (const LayerRecord &r : records) {
    llvm::json::Object layer{{"name", r.name},
                             {"op", r.op},
                             {"quantized", r.quantized},
                             {"k", r.k},
                             {"n", r.n},
                             {"float_bytes", r.floatBytes}};
    if (r.quantized) {
      layer["bits"] = bits;
      layer["group"] = bits == 8 ? r.k : groupSize.getValue();
      layer["quantized_bytes"] = r.quantizedBytes;
      floatBytes += r.floatBytes;
      quantizedBytes += r.quantizedBytes;
    } else {
      layer["reason"] = r.reason;
      unquantizedBytes += r.floatBytes;
    }
    layers.push_back(std::move(layer));
  }
  const char *modeName = mode == ActivationMode::PerToken ? "dynamic-per-token"
                         : mode == ActivationMode::PerTensor
                             ? "dynamic-per-tensor"
                             : "none";
  llvm::json::Object report{
      {"weights", weights},
      {"activations", modeName},
      {"layers", std::move(layers)},
      {"quantized_float_bytes", floatBytes},
      {"quantized_bytes", quantizedBytes},
      {"float_bytes_left", unquantizedBytes},
      {"weight_bytes_ratio",
       floatBytes + unquantizedBytes
           ? double(quantizedBytes + unquantizedBytes) /
                 double(floatBytes + unquantizedBytes)
           : 1.0}};
  std::error_code ec;
  llvm::raw_fd_ostream os(reportPath, ec);
  if (ec)
    return getOperation().emitError()
           << "ds-quantize: cannot write the report '" << reportPath
           << "': " << ec.message();
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  return success();
}
