//===- Report.cpp - ds-quantize's JSON and Markdown reports ---------------===//
#include "passes/Quantization/QuantizeLayers.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;

/// SQNR in JSON: a number, or null for +inf (identical outputs).
static llvm::json::Value sqnrJSON(double db) {
  if (std::isinf(db))
    return nullptr;
  return std::round(db * 100) / 100;
}

static llvm::json::Object metricsJSON(const CalibrationMetrics &m) {
  llvm::json::Object o{{"sqnr_db", sqnrJSON(m.sqnrDb)}};
  if (m.top1Changed >= 0)
    o["top1_changed"] = m.top1Changed;
  return o;
}

static std::string sqnrText(double db) {
  return std::isinf(db) ? std::string(db > 0 ? "inf" : "-inf")
                        : llvm::formatv("{0:f1}", db).str();
}

static std::string top1Text(const CalibrationMetrics &m) {
  return m.top1Changed < 0 ? "-"
                           : llvm::formatv("{0:f2} %", m.top1Changed * 100)
                                 .str();
}

static std::string bitsText(int64_t bits) {
  return bits == 32 ? "float" : "int" + std::to_string(bits);
}

LogicalResult ds::writeQuantReport(Location loc, StringRef path,
                                   const QuantReport &report,
                                   ArrayRef<QuantLayer> layers) {
  llvm::json::Array layerArray;
  int64_t floatBytes = 0, quantizedBytes = 0, unquantizedBytes = 0;
  for (const QuantLayer &l : layers) {
    bool quantized = l.isCandidate() && l.bits != 32;
    llvm::json::Object layer{{"name", l.name},
                             {"op", l.kind},
                             {"quantized", quantized},
                             {"k", l.k},
                             {"n", l.n},
                             {"float_bytes", l.floatBytes()}};
    int64_t group = l.bits == 8 ? l.k : report.group;
    if (quantized) {
      layer["bits"] = l.bits;
      layer["group"] = group;
      layer["quantized_bytes"] = l.bytes(l.bits, group);
      floatBytes += l.floatBytes();
      quantizedBytes += l.bytes(l.bits, group);
      auto shift = l.maxBiasShift.find(l.bits);
      if (shift != l.maxBiasShift.end())
        layer["bias_correction_max_abs"] = shift->second;
    } else {
      layer["reason"] = l.isCandidate() ? "kept float by bits=auto" : l.reason;
      unquantizedBytes += l.floatBytes();
    }
    if (!l.sensitivity.empty()) {
      llvm::json::Object sens;
      for (auto &[width, m] : l.sensitivity)
        sens["int" + std::to_string(width)] = metricsJSON(m);
      layer["sensitivity"] = std::move(sens);
    }
    layerArray.push_back(std::move(layer));
  }
  double ratio = floatBytes + unquantizedBytes
                     ? double(quantizedBytes + unquantizedBytes) /
                           double(floatBytes + unquantizedBytes)
                     : 1.0;
  llvm::json::Object root{{"weights", report.weights},
                          {"activations", report.activations},
                          {"group", report.group},
                          {"layers", std::move(layerArray)},
                          {"quantized_float_bytes", floatBytes},
                          {"quantized_bytes", quantizedBytes},
                          {"float_bytes_left", unquantizedBytes},
                          {"weight_bytes_ratio", ratio}};
  if (report.measured) {
    llvm::json::Object cal{{"folder", report.calibrationDir},
                           {"sets", report.calibrationSets},
                           {"bias_correction", report.biasCorrection},
                           {"metric", report.metric},
                           {"measured", metricsJSON(*report.measured)}};
    if (report.measuredWithoutCorrection)
      cal["measured_without_bias_correction"] =
          metricsJSON(*report.measuredWithoutCorrection);
    if (report.budgetChecked) {
      cal["budget"] = report.budget;
      cal["budget_met"] = report.budgetMet;
    }
    if (!report.search.empty()) {
      llvm::json::Array steps;
      for (const SearchStep &s : report.search) {
        llvm::json::Object step{{"bytes", s.bytes},
                                {"measured", metricsJSON(s.metrics)}};
        if (!s.promoted.empty()) {
          step["promoted"] = s.promoted;
          step["to"] = bitsText(s.toBits);
        }
        steps.push_back(std::move(step));
      }
      cal["search"] = std::move(steps);
    }
    root["calibration"] = std::move(cal);
  }

  std::error_code ec;
  llvm::raw_fd_ostream json(path, ec);
  if (ec)
    return emitError(loc) << "ds-quantize: cannot write the report '" << path
                          << "': " << ec.message();
  json << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";

  // The Markdown report: the decision per layer, the measured result, then
  // the sensitivity table (most sensitive first) and the search.
  llvm::SmallString<128> mdPath(path);
  llvm::sys::path::replace_extension(mdPath, "md");
  llvm::raw_fd_ostream md(mdPath, ec);
  if (ec)
    return emitError(loc) << "ds-quantize: cannot write the report '"
                          << mdPath << "': " << ec.message();
  md << "# ds-quantize report\n\n"
     << "weights: " << report.weights << ", activations: "
     << report.activations << ", int4 group: " << report.group << "\n\n";
  md << "| layer | op | K x N | decision | bytes | float bytes |\n"
     << "| --- | --- | --- | --- | --- | --- |\n";
  for (const QuantLayer &l : layers) {
    bool quantized = l.isCandidate() && l.bits != 32;
    int64_t group = l.bits == 8 ? l.k : report.group;
    md << "| " << l.name << " | " << l.kind << " | " << l.k << "x" << l.n
       << " | "
       << (quantized ? bitsText(l.bits)
                     : "float (" +
                           (l.isCandidate() ? std::string("bits=auto")
                                            : l.reason) +
                           ")")
       << " | " << (quantized ? l.bytes(l.bits, group) : l.floatBytes())
       << " | " << l.floatBytes() << " |\n";
  }
  md << "\nWeight bytes: " << llvm::formatv("{0:f4}", ratio)
     << " of float.\n";
  if (report.measured) {
    md << "\n## Measured on the calibration inputs\n\n"
       << report.calibrationSets << " set(s) from `" << report.calibrationDir
       << "`; metric " << report.metric;
    if (report.budgetChecked)
      md << ", budget " << llvm::formatv("{0}", report.budget) << " ("
         << (report.budgetMet ? "met" : "NOT met: best reachable result below")
         << ")";
    md << ".\n\n| | output SQNR dB | top-1 changed |\n| --- | --- | --- |\n"
       << "| result | " << sqnrText(report.measured->sqnrDb) << " | "
       << top1Text(*report.measured) << " |\n";
    if (report.measuredWithoutCorrection)
      md << "| without bias correction | "
         << sqnrText(report.measuredWithoutCorrection->sqnrDb) << " | "
         << top1Text(*report.measuredWithoutCorrection) << " |\n";

    struct Row {
      const QuantLayer *layer;
      int64_t width;
      CalibrationMetrics m;
    };
    std::vector<Row> rows;
    for (const QuantLayer &l : layers)
      for (auto &[width, m] : l.sensitivity)
        rows.push_back({&l, width, m});
    llvm::stable_sort(rows, [](const Row &a, const Row &b) {
      return a.m.sqnrDb < b.m.sqnrDb;
    });
    md << "\n## Sensitivity (each layer alone, most sensitive first)\n\n"
       << "| layer | op | K x N | bits | SQNR dB | rel L2 | top-1 changed |\n"
       << "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const Row &r : rows)
      md << "| " << r.layer->name << " | " << r.layer->kind << " | "
         << r.layer->k << "x" << r.layer->n << " | " << r.width << " | "
         << sqnrText(r.m.sqnrDb) << " | "
         << llvm::formatv("{0:e2}", std::isinf(r.m.sqnrDb)
                                        ? 0.0
                                        : std::pow(10.0, -r.m.sqnrDb / 20))
         << " | " << top1Text(r.m) << " |\n";
    if (!report.search.empty()) {
      md << "\n## bits=auto search\n\n"
         << "| step | change | weight bytes | SQNR dB | top-1 changed |\n"
         << "| --- | --- | --- | --- | --- |\n";
      for (auto [i, s] : llvm::enumerate(report.search))
        md << "| " << i << " | "
           << (s.promoted.empty() ? std::string("start: int4 where possible")
                                  : s.promoted + " → " + bitsText(s.toBits))
           << " | " << s.bytes << " | " << sqnrText(s.metrics.sqnrDb)
           << " | " << top1Text(s.metrics) << " |\n";
    }
  }
  return success();
}
