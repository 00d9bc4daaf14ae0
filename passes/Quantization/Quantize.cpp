//===- Quantize.cpp - ds-quantize: dsg matrix products to dsq -------------===//
//
// Weights are quantized here, once, from the constant's values; activation
// scales are left to dsq.dynamic_quantize at run time. Every candidate
// product gets a line in the report, quantized or not, so that a user sees
// what stayed float and why.
//
// With calibration inputs the pass measures before it decides. It compiles
// two programs, whatever the number of layers:
//  1. the float model, returning each candidate's input as an extra result:
//     the reference outputs and E[x] per layer (for bias correction);
//  2. a "mixed" model where every candidate computes all its variants
//     (float, int8, int4, each with and without bias correction) and an
//     extra i32 input selects one per layer with arith.select.
// Every assignment (sensitivity of one layer, each step of the bits=auto
// search, the final choice with and without bias correction) is then one
// run of program 2 per calibration set: the same dsq ops, hence the same
// kernels and rounding, as the final artifact.
//
//===----------------------------------------------------------------------===//
#include "passes/Quantization/Passes.h"
#include "passes/Quantization/QuantizeLayers.h"
#include "passes/Quantization/WeightQuantizer.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>
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

/// The float weights `q` stands for ([n, k]).
static std::vector<float> dequantize(const QuantizedWeights &q, int64_t n,
                                     int64_t k, int64_t bits, int64_t group) {
  std::vector<float> w(n * k);
  int64_t rowBytes = bits == 4 ? k / 2 : k;
  for (int64_t j = 0; j < n; ++j) {
    const int8_t *row = q.values.data() + j * rowBytes;
    for (int64_t i = 0; i < k; ++i) {
      int8_t v = bits == 4 ? unpackInt4(row, i) : row[i];
      w[j * k + i] = float(v) * q.scales[j * (k / group) + i / group];
    }
  }
  return w;
}

namespace {

enum class ActivationMode { PerToken, PerTensor, Auto, None };

/// Variant codes of the mixed calibration program's selector.
enum Variant : int32_t {
  kFloat = 0,
  kInt8 = 1,
  kInt4 = 2,
  kInt8Uncorrected = 3,
  kInt4Uncorrected = 4,
};

struct QuantizePass : public ds::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override;

private:
  LogicalResult parseOptions();
  /// Fills `layer` from its product, or sets `layer.reason`.
  void analyze(Operation *op, QuantLayer &layer);
  void analyzeConv(dsg::ConvOp op, QuantLayer &layer);
  /// The dsq.qconv of a convolution layer (see buildQuantized).
  Value buildQuantizedConv(OpBuilder &b, QuantLayer &layer, Value input,
                           dsq::WeightOp weight, Value bias, int64_t width);
  /// Builds the quantized product of `layer` at `width` on `lhs` (before the
  /// builder's insertion point) and returns its result.
  Value buildQuantized(OpBuilder &b, QuantLayer &layer, Value lhs,
                       int64_t width, bool correctBias);
  /// activations=dynamic-auto: whether every row of `x` may go 4-bit.
  Value buildAutoCondition(OpBuilder &b, Location loc, Value x);
  int64_t groupFor(const QuantLayer &layer, int64_t width) const {
    return width == 8 ? layer.k : groupSize.getValue();
  }

  // Calibration.
  LogicalResult calibrate(func::FuncOp entry,
                          std::vector<QuantLayer> &products,
                          QuantReport &report);
  LogicalResult searchBits(std::vector<QuantLayer> &products,
                           QuantReport &report,
                           function_ref<FailureOr<CalibrationMetrics>(
                               ArrayRef<int32_t>)> measure);
  bool withinBudget(const CalibrationMetrics &m) const {
    return metricName == "sqnr" ? m.sqnrDb >= budgetValue
                                : m.top1Changed <= budgetValue + 1e-12;
  }

  int64_t weightBits = 8;
  ActivationMode mode = ActivationMode::PerToken;
  std::string metricName;
  double budgetValue = 0;
};

} // namespace

LogicalResult QuantizePass::parseOptions() {
  Location loc = getOperation().getLoc();
  if (weights == "int8") {
    weightBits = 8;
  } else if (weights == "int4") {
    weightBits = 4;
  } else {
    return emitError(loc) << "ds-quantize: weights must be int8 or int4, found '"
                          << weights << "'";
  }
  if (groupSize != 32 && groupSize != 64 && groupSize != 128)
    return emitError(loc) << "ds-quantize: group must be 32, 64 or 128, found "
                          << groupSize.getValue();
  if (activations == "dynamic-per-token") {
    mode = ActivationMode::PerToken;
  } else if (activations == "dynamic-per-tensor") {
    mode = ActivationMode::PerTensor;
  } else if (activations == "dynamic-auto") {
    mode = ActivationMode::Auto;
  } else if (activations == "none") {
    mode = ActivationMode::None;
  } else if (activations == "target") {
    mode = hostHasInt8DotProduct() ? ActivationMode::PerToken
                                   : ActivationMode::None;
  } else {
    return emitError(loc) << "ds-quantize: activations must be "
                             "dynamic-per-token, dynamic-per-tensor, "
                             "dynamic-auto, none or target, found '"
                          << activations << "'";
  }
  if (!(int4MaxRatio > 0) || !std::isfinite(int4MaxRatio))
    return emitError(loc) << "ds-quantize: int4-max-ratio must be a positive "
                             "number, found "
                          << int4MaxRatio.getValue();
  if (!bits.empty() && bits != "auto")
    return emitError(loc) << "ds-quantize: bits must be auto (or unset: the "
                             "width of weights=), found '"
                          << bits.getValue() << "'";
  metricName = metric;
  if (metricName != "top1" && metricName != "sqnr")
    return emitError(loc) << "ds-quantize: metric must be top1 or sqnr, found '"
                          << metricName << "'";
  budgetValue = budget;
  if (metricName == "sqnr" && !budget.hasValue())
    budgetValue = 30.0;
  if (metricName == "top1" && !(budgetValue >= 0 && budgetValue <= 1))
    return emitError(loc) << "ds-quantize: with metric=top1, budget is a "
                             "fraction of inputs in [0, 1] (0.01 = 1 point), "
                             "found "
                          << budgetValue;
  if (!std::isfinite(budgetValue))
    return emitError(loc) << "ds-quantize: budget must be finite, found "
                          << budgetValue;
  if (calibration.empty()) {
    if (bits == "auto")
      return emitError(loc) << "ds-quantize: bits=auto needs calibration "
                               "inputs (calibration=DIR)";
    if (budget.hasValue() || metric.hasValue())
      return emitError(loc) << "ds-quantize: budget= and metric= are "
                               "measured on calibration inputs; give "
                               "calibration=DIR";
  }
  return success();
}

void QuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  if (failed(parseOptions()))
    return signalPassFailure();

  std::vector<QuantLayer> products;
  module.walk([&](Operation *op) {
    if (isa<dsg::MatMulOp, dsg::GemmOp>(op)) {
      products.emplace_back();
      analyze(op, products.back());
    } else if (auto conv = dyn_cast<dsg::ConvOp>(op)) {
      products.emplace_back();
      analyzeConv(conv, products.back());
    }
  });

  QuantReport report;
  report.weights = bits == "auto" ? "auto" : weights.getValue();
  report.activations = mode == ActivationMode::PerToken ? "dynamic-per-token"
                       : mode == ActivationMode::PerTensor
                           ? "dynamic-per-tensor"
                       : mode == ActivationMode::Auto ? "dynamic-auto"
                                                      : "none";
  report.group = groupSize;
  report.autoBits = bits == "auto";

  // The widths without calibration: `weights=` wherever it is possible.
  for (QuantLayer &layer : products) {
    if (!layer.isCandidate())
      continue;
    if (weightBits == 4 && !layer.int4 && !report.autoBits) {
      layer.reason = "the reduction size " + std::to_string(layer.k) +
                     " is not a multiple of the group size " +
                     std::to_string(groupSize.getValue());
      continue;
    }
    layer.bits = weightBits;
  }

  if (!calibration.empty()) {
    auto entry = module.lookupSymbol<func::FuncOp>("main");
    if (!entry || entry.isExternal()) {
      emitError(module.getLoc())
          << "ds-quantize: calibration runs the model's func.func @main, "
             "which this module does not define";
      return signalPassFailure();
    }
    LogicalResult calibrated = calibrate(entry, products, report);
    // A budget that is not met still gets its report: it says how close
    // the best reachable assignment came.
    if (!reportPath.empty() && report.measured &&
        failed(writeQuantReport(module.getLoc(), reportPath, report, products)))
      return signalPassFailure();
    if (failed(calibrated))
      return signalPassFailure();
  }

  bool correct = !calibration.empty() && biasCorrection;
  // A layer may read the result of the one before it (a linear bottleneck
  // feeding the next convolution, two Linear layers in a row): its input
  // is then the quantized replacement. Ops are erased at the end, so that
  // no recorded input dangles meanwhile.
  DenseMap<Value, Value> renamed;
  SmallVector<Operation *> dead;
  for (QuantLayer &layer : products) {
    if (!layer.isCandidate() || layer.bits == 32)
      continue;
    OpBuilder b(layer.replaced);
    Value lhs = renamed.lookup(layer.lhs);
    Value result = buildQuantized(b, layer, lhs ? lhs : layer.lhs, layer.bits,
                                  correct);
    layer.replaced->getResult(0).replaceAllUsesWith(result);
    renamed[layer.replaced->getResult(0)] = result;
    if (layer.replaced != layer.op)
      dead.push_back(layer.replaced);
    dead.push_back(layer.op);
    layer.op = layer.replaced = nullptr;
    layer.lhs = nullptr;
  }
  for (Operation *op : dead)
    op->erase();
  if (!reportPath.empty() && calibration.empty() &&
      failed(writeQuantReport(module.getLoc(), reportPath, report, products)))
    return signalPassFailure();
}

void QuantizePass::analyze(Operation *op, QuantLayer &layer) {
  layer.op = layer.replaced = op;
  layer.name = describeLoc(op->getLoc());
  layer.kind = isa<dsg::MatMulOp>(op) ? "MatMul" : "Gemm";
  if (!layers.empty() && !llvm::is_contained(layers, layer.name)) {
    layer.reason = "not selected (layers=...)";
    return;
  }
  Value lhs, rhs, c;
  bool transB = false;
  double alpha = 1.0, beta = 1.0;
  if (auto mm = dyn_cast<dsg::MatMulOp>(op)) {
    lhs = mm.getLhs();
    rhs = mm.getRhs();
  } else {
    auto gemm = cast<dsg::GemmOp>(op);
    if (gemm.getTransA()) {
      layer.reason = "transposed A (trans_a) is not supported";
      return;
    }
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
  if (!lhsType.getElementType().isF32() ||
      !resultType.getElementType().isF32()) {
    layer.reason = "only f32 products are quantized";
    return;
  }
  if (rhsType.getRank() != 2) {
    layer.reason = "the weight is not a matrix";
    return;
  }
  if (lhsType.getRank() < 2) {
    layer.reason = "a vector lhs is not supported";
    return;
  }
  std::optional<std::vector<float>> w = getConstantF32(rhs);
  if (!w) {
    layer.reason = "the weight is not a constant";
    return;
  }
  int64_t k = rhsType.getDimSize(transB ? 1 : 0);
  int64_t n = rhsType.getDimSize(transB ? 0 : 1);
  layer.k = k;
  layer.n = n;

  // The bias: Gemm's C, or the constant [N] addend of a MatMul's only user.
  if (c) {
    auto cType = cast<RankedTensorType>(c.getType());
    layer.bias = getConstantF32(c);
    if (!layer.bias || cType.getNumElements() != n ||
        cType.getShape().back() != n) {
      layer.bias.reset();
      layer.reason = "C is not a constant [N] or [1, N] bias";
      return;
    }
    for (float &v : *layer.bias)
      v *= static_cast<float>(beta);
  } else if (op->hasOneUse()) {
    if (auto add = dyn_cast<dsg::AddOp>(*op->getUsers().begin())) {
      Value other = add.getLhs() == op->getResult(0) ? add.getRhs()
                                                     : add.getLhs();
      auto otherType = cast<RankedTensorType>(other.getType());
      if (add.getType() == resultType && otherType.getRank() == 1 &&
          otherType.getDimSize(0) == n) {
        layer.bias = getConstantF32(other);
        if (layer.bias)
          layer.replaced = add;
      }
    }
  }

  // [N, K] row-major, scaled by Gemm's alpha.
  layer.weights.resize(n * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float v = transB ? (*w)[j * k + i] : (*w)[i * n + j];
      layer.weights[j * k + i] = static_cast<float>(alpha) * v;
    }
  layer.lhs = lhs;
  layer.int4 = k % groupSize == 0;
}

void QuantizePass::analyzeConv(dsg::ConvOp op, QuantLayer &layer) {
  layer.op = layer.replaced = op;
  layer.name = describeLoc(op->getLoc());
  layer.kind = "Conv";
  if (!layers.empty() && !llvm::is_contained(layers, layer.name)) {
    layer.reason = "not selected (layers=...)";
    return;
  }
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  if (!inType.getElementType().isF32() ||
      !op.getType().getElementType().isF32()) {
    layer.reason = "only f32 convolutions are quantized";
    return;
  }
  if (inType.getRank() != 4) {
    layer.reason = "only 2-D convolutions are quantized (this one has " +
                   std::to_string(inType.getRank() - 2) +
                   " spatial dimensions)";
    return;
  }
  if (inType.isDynamicDim(1) || inType.isDynamicDim(2) ||
      inType.isDynamicDim(3) || !wType.hasStaticShape()) {
    layer.reason = "dynamic channel or spatial sizes";
    return;
  }
  int64_t c = inType.getDimSize(1), group = op.getGroup();
  if (group != 1) {
    // A depthwise filter reduces over KH * KW values only (9 for 3x3): too
    // short for the int8 GEMM's blocks, and the fp32 depthwise kernel
    // reads each input once. Other grouped convolutions would run one
    // portable product per group (the kernel does not take weight slices).
    layer.reason =
        group == c ? "depthwise convolution (group = C = " + std::to_string(c) +
                         "): its reduction is only KH*KW values per output, "
                         "too short for the int8 GEMM; the float depthwise "
                         "kernel is kept"
                   : "grouped convolution (group = " + std::to_string(group) +
                         ") is not quantized: the int8 GEMM takes one weight "
                         "matrix, not one per group";
    return;
  }
  std::optional<std::vector<float>> w = getConstantF32(op.getWeight());
  if (!w) {
    layer.reason = "the weight is not a constant";
    return;
  }
  if (Value bias = op.getBias()) {
    layer.bias = getConstantF32(bias);
    if (!layer.bias) {
      layer.reason = "the bias is not a constant";
      return;
    }
  }
  // ONNX's [F, C, KH, KW] is already [N, K] with K in (c, kh, kw) order.
  layer.n = wType.getDimSize(0);
  layer.k = wType.getNumElements() / layer.n;
  layer.convChannels = c;
  layer.weights = std::move(*w);
  layer.lhs = op.getInput();
  layer.int4 = layer.k % groupSize == 0;
}

Value QuantizePass::buildQuantizedConv(OpBuilder &b, QuantLayer &layer,
                                       Value input, dsq::WeightOp weight,
                                       Value bias, int64_t width) {
  auto conv = cast<dsg::ConvOp>(layer.op);
  Location loc = conv.getLoc();
  auto inType = cast<RankedTensorType>(input.getType());
  auto f32 = b.getF32Type();
  Value x = input, scale;
  // Per tensor whatever `activations` says (but none): patches of
  // neighbouring pixels overlap, so per-token scales have no meaning here,
  // and dynamic-auto's 4-bit path is for matrix products only.
  if (mode != ActivationMode::None) {
    auto dq = dsq::DynamicQuantizeOp::create(
        b, loc, inType.clone(b.getI8Type()), RankedTensorType::get({}, f32),
        input, 8, dsq::Granularity::per_tensor);
    x = dq.getOutput();
    scale = dq.getScale();
  }
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  return dsq::QConvOp::create(
      b, loc, conv.getType(), x, scale, weight.getWeight(), weight.getScale(),
      bias, b.getI64IntegerAttr(width), b.getDenseI64ArrayAttr(kernel),
      conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
      b.getI64IntegerAttr(conv.getGroup()));
}

Value QuantizePass::buildAutoCondition(OpBuilder &b, Location loc, Value x) {
  // 4 bits for every row iff max_rows(absmax^2 - r^2 mean(x^2)) <= 0: no
  // division, and an all-zero row (absmax = RMS = 0) counts as flat.
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> rowShape(type.getShape());
  rowShape.back() = 1;
  auto rowType = type.clone(rowShape);
  auto scalarType = RankedTensorType::get({}, type.getElementType());
  Value abs = dsg::AbsOp::create(b, loc, type, x);
  Value sq = dsg::MulOp::create(b, loc, type, x, x);
  Value absmax = dsg::ReduceMaxOp::create(b, loc, rowType, abs,
                                          ArrayRef<int64_t>{rank - 1}, true);
  Value meanSq = dsg::ReduceMeanOp::create(b, loc, rowType, sq,
                                           ArrayRef<int64_t>{rank - 1}, true);
  float r2 = static_cast<float>(int4MaxRatio * int4MaxRatio);
  Value ratio2 = dsg::ConstantOp::create(
      b, loc, scalarType, DenseElementsAttr::get(scalarType, ArrayRef(r2)));
  Value allowed = dsg::MulOp::create(b, loc, rowType, meanSq, ratio2);
  Value peak = dsg::MulOp::create(b, loc, rowType, absmax, absmax);
  Value excess = dsg::SubOp::create(b, loc, rowType, peak, allowed);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  Value worst = dsg::ReduceMaxOp::create(b, loc, scalarType, excess, all,
                                         false);
  Value v = tensor::ExtractOp::create(b, loc, worst, ValueRange());
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, v, zero);
}

Value QuantizePass::buildQuantized(OpBuilder &b, QuantLayer &layer, Value lhs,
                                   int64_t width, bool correctBias) {
  Location loc = layer.op->getLoc();
  MLIRContext *ctx = b.getContext();
  int64_t n = layer.n, k = layer.k, group = groupFor(layer, width);
  QuantizedWeights q = quantizeWeights(layer.weights, n, k, width, group);

  std::optional<std::vector<float>> bias = layer.bias;
  if (correctBias && !layer.mean.empty()) {
    // E[W_q x - W x] = (W_q - W) E[x], per output channel.
    std::vector<float> wq = dequantize(q, n, k, width, group);
    if (!bias)
      bias = std::vector<float>(n, 0.0f);
    double largest = 0;
    for (int64_t j = 0; j < n; ++j) {
      double shift = 0;
      for (int64_t i = 0; i < k; ++i)
        shift += double(wq[j * k + i] - layer.weights[j * k + i]) *
                 layer.mean[i];
      (*bias)[j] -= static_cast<float>(shift);
      largest = std::max(largest, std::abs(shift));
    }
    layer.maxBiasShift[width] = largest;
  }

  auto i8 = IntegerType::get(ctx, 8);
  auto f32 = Float32Type::get(ctx);
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto resultType =
      cast<RankedTensorType>(layer.replaced->getResult(0).getType());
  auto valuesType = RankedTensorType::get({n, width == 4 ? k / 2 : k}, i8);
  auto scalesType = RankedTensorType::get({n, k / group}, f32);
  auto values = DenseElementsAttr::get(valuesType, ArrayRef<int8_t>(q.values));
  auto scales = DenseElementsAttr::get(scalesType, ArrayRef<float>(q.scales));
  auto weight = dsq::WeightOp::create(b, loc, valuesType, scalesType, values,
                                      scales, b.getI64IntegerAttr(width),
                                      b.getI64IntegerAttr(group));
  Value biasValue;
  if (bias) {
    auto biasType = RankedTensorType::get({n}, f32);
    biasValue = dsg::ConstantOp::create(
        b, loc, biasType, DenseElementsAttr::get(biasType, ArrayRef(*bias)));
  }

  if (layer.convChannels)
    return buildQuantizedConv(b, layer, lhs, weight, biasValue, width);

  // One product on activations quantized to `actBits` (0: float).
  auto product = [&](OpBuilder &pb, int64_t actBits) -> Value {
    Value qlhs = lhs, qscale;
    if (actBits) {
      SmallVector<int64_t> scaleShape;
      if (mode != ActivationMode::PerTensor) {
        scaleShape.assign(lhsType.getShape().begin(), lhsType.getShape().end());
        scaleShape.back() = 1;
      }
      auto dq = dsq::DynamicQuantizeOp::create(
          pb, loc, lhsType.clone(i8), RankedTensorType::get(scaleShape, f32),
          lhs, actBits,
          mode == ActivationMode::PerTensor ? dsq::Granularity::per_tensor
                                            : dsq::Granularity::per_row);
      qlhs = dq.getOutput();
      qscale = dq.getScale();
    }
    return dsq::QMatMulOp::create(pb, loc, resultType, qlhs, qscale,
                                  weight.getWeight(), weight.getScale(),
                                  biasValue, pb.getI64IntegerAttr(width));
  };
  switch (mode) {
  case ActivationMode::None:
    return product(b, 0);
  case ActivationMode::PerToken:
  case ActivationMode::PerTensor:
    return product(b, 8);
  case ActivationMode::Auto:
    break;
  }
  Value use4 = buildAutoCondition(b, loc, lhs);
  // Result types are inferred from the yields.
  auto ifOp = scf::IfOp::create(
      b, loc, use4,
      [&](OpBuilder &tb, Location l) {
        scf::YieldOp::create(tb, l, product(tb, 4));
      },
      [&](OpBuilder &eb, Location l) {
        scf::YieldOp::create(eb, l, product(eb, 8));
      });
  return ifOp.getResult(0);
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

LogicalResult QuantizePass::calibrate(func::FuncOp entry,
                                      std::vector<QuantLayer> &products,
                                      QuantReport &report) {
  ModuleOp module = getOperation();
  Location loc = module.getLoc();
  auto *dialect = getContext().getLoadedDialect<dsq::DSQDialect>();
  auto *runner =
      dialect ? dialect->getRegisteredInterface<CalibrationRunnerInterface>()
              : nullptr;
  if (!runner)
    return emitError(loc)
           << "ds-quantize: calibration=... needs a model runner, and none is "
              "registered in this context (the compile API attaches one: "
              "ds::registerCompilerDialects / registerCalibrationRunner)";
  FailureOr<std::vector<CalibrationSet>> sets =
      readCalibrationSets(calibration, entry);
  if (failed(sets))
    return failure();
  report.calibrationDir = calibration;
  report.calibrationSets = sets->size();
  report.biasCorrection = biasCorrection;
  report.metric = metricName;
  report.budget = budgetValue;

  SmallVector<QuantLayer *> candidates;
  for (QuantLayer &layer : products)
    if (layer.isCandidate())
      candidates.push_back(&layer);
  unsigned numResults = entry.getNumResults();

  // 1. The float model, with each candidate's input as an extra result.
  std::vector<std::vector<HostTensor>> references;
  {
    IRMapping map;
    OwningOpRef<ModuleOp> probe = cast<ModuleOp>(module->clone(map));
    auto probeEntry = cast<func::FuncOp>(map.lookup(entry.getOperation()));
    Operation *ret = probeEntry.getBody().back().getTerminator();
    SmallVector<Value> results(ret->getOperands());
    for (QuantLayer *layer : candidates) {
      Value x = map.lookup(layer->lhs);
      (void)probeEntry.insertResult(probeEntry.getNumResults(), x.getType(),
                                    DictionaryAttr());
      results.push_back(x);
    }
    ret->setOperands(results);
    FailureOr<std::unique_ptr<CalibrationModel>> model =
        runner->compile(*probe, "main");
    if (failed(model))
      return failure();
    std::vector<std::vector<double>> sums(candidates.size());
    std::vector<int64_t> rows(candidates.size(), 0);
    for (CalibrationSet &set : *sets) {
      FailureOr<std::vector<HostTensor>> outputs =
          (*model)->run(loc, set.inputs);
      if (failed(outputs))
        return failure();
      for (auto [i, layer] : llvm::enumerate(candidates)) {
        const HostTensor &x = (*outputs)[numResults + i];
        if (int64_t c = layer->convChannels) {
          // [N, C, H, W]: sums per channel (zero padding is not counted).
          sums[i].resize(c, 0.0);
          int64_t images = x.shape()[0];
          int64_t plane = x.shape()[2] * x.shape()[3];
          for (int64_t img = 0; img < images; ++img)
            for (int64_t ch = 0; ch < c; ++ch)
              for (int64_t p = 0; p < plane; ++p)
                sums[i][ch] += elementAsDouble(x, (img * c + ch) * plane + p);
          rows[i] += images * plane;
          continue;
        }
        sums[i].resize(layer->k, 0.0);
        int64_t count = x.numElements() / layer->k;
        for (int64_t r = 0; r < count; ++r)
          for (int64_t j = 0; j < layer->k; ++j)
            sums[i][j] += elementAsDouble(x, r * layer->k + j);
        rows[i] += count;
      }
      outputs->resize(numResults);
      references.push_back(std::move(*outputs));
    }
    for (auto [i, layer] : llvm::enumerate(candidates)) {
      layer->mean.resize(layer->k);
      // A convolution's reduction index j is (c, kh, kw): E[x] of channel
      // j / (KH * KW).
      int64_t repeat = layer->convChannels ? layer->k / layer->convChannels : 1;
      for (int64_t j = 0; j < layer->k; ++j)
        layer->mean[j] =
            rows[i] ? float(sums[i][j / repeat] / double(rows[i])) : 0.f;
    }
  }
  if (metricName == "top1") {
    MetricsAccumulator probe;
    for (auto &outs : references)
      for (const HostTensor &t : outs)
        probe.add(t, t);
    if (probe.get().top1Changed < 0)
      return entry.emitError()
             << "ds-quantize: metric=top1 needs a classifier-like output "
                "(float, rank >= 2, more than one class in the last "
                "dimension); use metric=sqnr";
  }

  // 2. The mixed model: every variant of every candidate, one selected per
  // layer by an extra i32 input.
  IRMapping map;
  OwningOpRef<ModuleOp> mixed = cast<ModuleOp>(module->clone(map));
  auto mixedEntry = cast<func::FuncOp>(map.lookup(entry.getOperation()));
  int64_t numLayers = candidates.size();
  auto selectorType =
      RankedTensorType::get({std::max<int64_t>(numLayers, 1)},
                            IntegerType::get(&getContext(), 32));
  unsigned selectorIndex = mixedEntry.getNumArguments();
  (void)mixedEntry.insertArgument(selectorIndex, selectorType,
                                  DictionaryAttr(), loc);
  Value selector = mixedEntry.getArgument(selectorIndex);
  // A layer that reads the previous layer's result reads its selected
  // variant.
  DenseMap<Value, Value> renamed;
  for (auto [i, layer] : llvm::enumerate(candidates)) {
    Operation *replaced = map.lookup(layer->replaced);
    Value lhs = map.lookup(layer->lhs);
    if (Value chosenInput = renamed.lookup(lhs))
      lhs = chosenInput;
    OpBuilder b(replaced->getContext());
    b.setInsertionPointAfter(replaced);
    Value variants[5];
    variants[kFloat] = replaced->getResult(0);
    variants[kInt8] = buildQuantized(b, *layer, lhs, 8, biasCorrection);
    variants[kInt8Uncorrected] = buildQuantized(b, *layer, lhs, 8, false);
    variants[kInt4] = variants[kInt8];
    variants[kInt4Uncorrected] = variants[kInt8Uncorrected];
    if (layer->int4) {
      variants[kInt4] = buildQuantized(b, *layer, lhs, 4, biasCorrection);
      variants[kInt4Uncorrected] = buildQuantized(b, *layer, lhs, 4, false);
    }
    Location l = replaced->getLoc();
    Value index = arith::ConstantIndexOp::create(b, l, i);
    Value code = tensor::ExtractOp::create(b, l, selector, ValueRange{index});
    Value chosen = variants[kFloat];
    Operation *first = nullptr;
    for (int32_t v = kInt8; v <= kInt4Uncorrected; ++v) {
      Value want = arith::ConstantIntOp::create(b, l, v, 32);
      Value is = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, code,
                                       want);
      auto select = arith::SelectOp::create(b, l, is, variants[v], chosen);
      if (!first)
        first = select;
      chosen = select;
    }
    variants[kFloat].replaceUsesWithIf(chosen, [&](OpOperand &use) {
      return use.getOwner() != first;
    });
    renamed[variants[kFloat]] = chosen;
  }
  FailureOr<std::unique_ptr<CalibrationModel>> model =
      runner->compile(*mixed, "main");
  if (failed(model))
    return failure();

  auto measure =
      [&](ArrayRef<int32_t> codes) -> FailureOr<CalibrationMetrics> {
    MetricsAccumulator acc;
    for (auto [set, reference] : llvm::zip_equal(*sets, references)) {
      HostTensor select(DSRT_I32, selectorType.getShape());
      auto *data = reinterpret_cast<int32_t *>(select.data());
      llvm::copy(codes, data);
      set.inputs.push_back(std::move(select));
      FailureOr<std::vector<HostTensor>> outputs =
          (*model)->run(loc, set.inputs);
      set.inputs.pop_back();
      if (failed(outputs))
        return failure();
      for (unsigned r = 0; r < numResults; ++r)
        acc.add(reference[r], (*outputs)[r]);
    }
    return acc.get();
  };

  // Sensitivity: each candidate alone, at each width it allows.
  for (auto [i, layer] : llvm::enumerate(candidates)) {
    for (int64_t width : {8, 4}) {
      if (width == 4 && !layer->int4)
        continue;
      SmallVector<int32_t> codes(numLayers, kFloat);
      codes[i] = width == 8 ? kInt8 : kInt4;
      FailureOr<CalibrationMetrics> m = measure(codes);
      if (failed(m))
        return failure();
      layer->sensitivity[width] = *m;
    }
  }

  if (report.autoBits) {
    if (failed(searchBits(products, report, measure)))
      return failure();
  }

  // The final assignment, with and without bias correction.
  SmallVector<int32_t> codes(numLayers, kFloat), uncorrected(numLayers, kFloat);
  for (auto [i, layer] : llvm::enumerate(candidates)) {
    codes[i] = layer->bits == 8 ? kInt8 : layer->bits == 4 ? kInt4 : kFloat;
    uncorrected[i] = layer->bits == 8   ? kInt8Uncorrected
                     : layer->bits == 4 ? kInt4Uncorrected
                                        : kFloat;
  }
  FailureOr<CalibrationMetrics> result = measure(codes);
  if (failed(result))
    return failure();
  report.measured = *result;
  if (biasCorrection) {
    FailureOr<CalibrationMetrics> without = measure(uncorrected);
    if (failed(without))
      return failure();
    report.measuredWithoutCorrection = *without;
  }
  report.budgetChecked = report.autoBits || budget.hasValue();
  report.budgetMet = withinBudget(*result);
  if (report.budgetChecked && !report.budgetMet) {
    InFlightDiagnostic diag = emitError(loc) << "ds-quantize: the budget ";
    if (metricName == "sqnr")
      diag << llvm::formatv("(output SQNR >= {0:f1} dB) cannot be met: the "
                            "best reachable assignment measures {1:f1} dB",
                            budgetValue, result->sqnrDb);
    else
      diag << llvm::formatv("(top-1 changed on <= {0:f2} % of inputs) cannot "
                            "be met: the best reachable assignment changes "
                            "{1:f2} %",
                            budgetValue * 100, result->top1Changed * 100);
    diag << " on the calibration inputs"
         << (reportPath.empty() ? "" : " (see the report)");
    return failure();
  }
  return success();
}

LogicalResult QuantizePass::searchBits(
    std::vector<QuantLayer> &products, QuantReport &report,
    function_ref<FailureOr<CalibrationMetrics>(ArrayRef<int32_t>)> measure) {
  SmallVector<QuantLayer *> candidates;
  for (QuantLayer &layer : products)
    if (layer.isCandidate())
      candidates.push_back(&layer);
  // The smallest start: int4 wherever the group divides K.
  for (QuantLayer *layer : candidates)
    layer->bits = layer->int4 ? 4 : 8;
  report.search.push_back({});

  // How much a layer hurts at its current width, measured alone: for top-1,
  // changed inputs first and the noise power to break ties (most layers
  // change none alone); for SQNR, the noise power (relative to the signal).
  auto noise = [](const CalibrationMetrics &m) {
    return std::isinf(m.sqnrDb) ? 0.0 : std::pow(10.0, -m.sqnrDb / 10);
  };
  auto harm = [&](QuantLayer *layer) -> std::pair<double, double> {
    const CalibrationMetrics &m = layer->sensitivity[layer->bits];
    return {metricName == "top1" ? m.top1Changed : 0.0, noise(m)};
  };

  while (true) {
    SmallVector<int32_t> codes;
    int64_t bytes = 0;
    for (QuantLayer *layer : candidates) {
      codes.push_back(layer->bits == 8   ? kInt8
                      : layer->bits == 4 ? kInt4
                                         : kFloat);
      bytes += layer->bytes(layer->bits, groupFor(*layer, layer->bits));
    }
    FailureOr<CalibrationMetrics> m = measure(codes);
    if (failed(m))
      return failure();
    report.search.back().bytes = bytes;
    report.search.back().metrics = *m;
    if (withinBudget(*m))
      return success();
    QuantLayer *worst = nullptr;
    for (QuantLayer *layer : candidates) {
      if (layer->bits == 32 || (layer->bits == 8 && !allowFloat))
        continue;
      if (!worst || harm(layer) > harm(worst))
        worst = layer;
    }
    if (!worst)
      return success(); // Unreachable: the caller reports it.
    worst->bits = worst->bits == 4 ? 8 : 32;
    report.search.push_back({worst->name, worst->bits, 0, {}});
  }
}
