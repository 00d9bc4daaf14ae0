//===- Calibration.cpp - calibration data and metrics ---------------------===//
#include "passes/Quantization/Calibration.h"

#include "ds/Target/CPU/ArtifactMetadata.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::ds;

MLIR_DEFINE_EXPLICIT_TYPE_ID(mlir::ds::CalibrationRunnerInterface)

CalibrationModel::~CalibrationModel() = default;

/// Appends the `input_<i>.pb` files directly in `dir` to `files`, by index.
static LogicalResult listInputs(func::FuncOp entry, StringRef dir,
                                std::vector<std::string> &files) {
  std::error_code ec;
  std::vector<std::pair<unsigned, std::string>> indexed;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    if (!name.consume_front("input_") || !name.consume_back(".pb"))
      continue;
    unsigned index;
    if (name.getAsInteger(10, index))
      return entry.emitError() << "ds-quantize: calibration file '"
                               << it->path()
                               << "' is not named input_<index>.pb";
    indexed.emplace_back(index, it->path());
  }
  if (ec)
    return entry.emitError() << "ds-quantize: cannot read the calibration "
                                "folder '"
                             << dir << "': " << ec.message();
  llvm::sort(indexed);
  for (auto &[index, path] : indexed)
    files.push_back(path);
  return success();
}

static std::string argumentName(func::FuncOp entry, unsigned i) {
  if (auto name = entry.getArgAttrOfType<StringAttr>(i, kTensorNameAttr))
    return name.str();
  return "input" + std::to_string(i);
}

/// Reads one set and checks it against the entry's arguments.
static FailureOr<CalibrationSet> readSet(func::FuncOp entry, StringRef dir,
                                         ArrayRef<std::string> files) {
  CalibrationSet set;
  set.folder = dir.str();
  unsigned numInputs = entry.getNumArguments();
  if (files.size() != numInputs)
    return entry.emitError()
           << "ds-quantize: calibration folder '" << dir << "' has "
           << files.size() << " input_*.pb file(s), the model has "
           << numInputs << " input(s)";
  for (unsigned i = 0; i < numInputs; ++i) {
    std::string name = argumentName(entry, i);
    llvm::Expected<HostTensor> tensor = readTensorProtoFile(files[i]);
    if (!tensor)
      return entry.emitError()
             << "ds-quantize: calibration input '" << name << "': "
             << llvm::toString(tensor.takeError());
    auto type = dyn_cast<RankedTensorType>(entry.getArgumentTypes()[i]);
    std::string want = type ? getDTypeName(type.getElementType()) : "";
    bool ok = type && want == dsrt_dtype_name(tensor->dtype()) &&
              type.getRank() == tensor->rank();
    for (int64_t d = 0; ok && d < tensor->rank(); ++d)
      ok = type.isDynamicDim(d) || type.getDimSize(d) == tensor->shape()[d];
    if (!ok) {
      std::string expected = "?";
      if (type) {
        llvm::raw_string_ostream os(expected);
        expected.clear();
        os << type;
      }
      return entry.emitError()
             << "ds-quantize: calibration input '" << name << "' ('"
             << files[i] << "'): expected " << expected << ", found "
             << tensor->typeString();
    }
    set.inputs.push_back(std::move(*tensor));
  }
  return set;
}

FailureOr<std::vector<CalibrationSet>>
ds::readCalibrationSets(StringRef dir, func::FuncOp entry) {
  if (!llvm::sys::fs::is_directory(dir))
    return entry.emitError() << "ds-quantize: the calibration folder '" << dir
                             << "' does not exist or is not a folder";
  std::vector<CalibrationSet> sets;
  std::vector<std::string> files;
  if (failed(listInputs(entry, dir, files)))
    return failure();
  if (!files.empty()) {
    FailureOr<CalibrationSet> set = readSet(entry, dir, files);
    if (failed(set))
      return failure();
    sets.push_back(std::move(*set));
    return sets;
  }
  // A folder of test_data_set folders.
  std::error_code ec;
  std::vector<std::string> subdirs;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::fs::is_directory(it->path()))
      subdirs.push_back(it->path());
  llvm::sort(subdirs);
  for (const std::string &sub : subdirs) {
    files.clear();
    if (failed(listInputs(entry, sub, files)))
      return failure();
    if (files.empty())
      continue;
    FailureOr<CalibrationSet> set = readSet(entry, sub, files);
    if (failed(set))
      return failure();
    sets.push_back(std::move(*set));
  }
  if (sets.empty())
    return entry.emitError() << "ds-quantize: no input_*.pb in the "
                                "calibration folder '"
                             << dir << "' or its subfolders";
  return sets;
}

//===----------------------------------------------------------------------===//
// Metrics
//===----------------------------------------------------------------------===//

static bool isFloat(const HostTensor &t) {
  dsrt_dtype d = t.dtype();
  return d == DSRT_F32 || d == DSRT_F16 || d == DSRT_BF16 || d == DSRT_F64;
}

void MetricsAccumulator::add(const HostTensor &reference,
                             const HostTensor &got) {
  if (!isFloat(reference) || reference.numElements() != got.numElements())
    return;
  int64_t size = reference.numElements();
  for (int64_t i = 0; i < size; ++i) {
    double r = elementAsDouble(reference, i), g = elementAsDouble(got, i);
    signal += r * r;
    noise += (r - g) * (r - g);
  }
  int64_t classes = reference.rank() >= 2 ? reference.shape().back() : 0;
  if (classes < 2)
    return;
  for (int64_t row = 0; row < size / classes; ++row) {
    int64_t best[2] = {0, 0};
    double bestValue[2] = {-std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
    for (int64_t c = 0; c < classes; ++c) {
      double v[2] = {elementAsDouble(reference, row * classes + c),
                     elementAsDouble(got, row * classes + c)};
      for (int j = 0; j < 2; ++j)
        if (v[j] > bestValue[j]) {
          bestValue[j] = v[j];
          best[j] = c;
        }
    }
    ++rows;
    changed += best[0] != best[1];
  }
}

CalibrationMetrics MetricsAccumulator::get() const {
  CalibrationMetrics m;
  m.sqnrDb = noise == 0 ? std::numeric_limits<double>::infinity()
             : signal == 0 ? -std::numeric_limits<double>::infinity()
                           : 10 * std::log10(signal / noise);
  m.top1Changed = rows ? double(changed) / double(rows) : -1;
  return m;
}
