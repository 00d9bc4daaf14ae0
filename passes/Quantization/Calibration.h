//===- Calibration.h - running a model inside ds-quantize -------*- C++ -*-===//
//
// `ds-quantize{calibration=DIR}` measures what quantization does to the
// model's outputs, so the pass must run the model while it compiles it. The
// pass library cannot link the back end (the back end's compile API runs this
// pass), so the runner is a dialect interface on `dsq`, attached by the
// compile API (`registerCalibrationRunner`, which `registerCompilerDialects`
// calls): the MLIR way to invert that dependency, like the `convert-to-llvm`
// and bufferization interfaces. The implementation compiles a clone of the
// module with ds's own CPU pipeline into a temporary artifact and runs it
// with the runtime, so the numbers measured are those of the code that ships.
//
// Also here: reading a calibration folder (an ONNX test_data_set, or a
// folder of them) against the entry function's inputs, and the two metrics
// of a quantized run against the float one.
//
//===----------------------------------------------------------------------===//
#ifndef DS_PASSES_QUANTIZATION_CALIBRATION_H
#define DS_PASSES_QUANTIZATION_CALIBRATION_H

#include "ds/IO/TensorIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectInterface.h"
#include "mlir/Support/TypeID.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::ds {

/// One calibration input set: a tensor per entry argument, in order, and the
/// folder it came from (for messages).
struct CalibrationSet {
  std::string folder;
  std::vector<HostTensor> inputs;
};

/// Reads `dir`: a folder with `input_<i>.pb` files (one set), or a folder of
/// such folders (one set each, in name order). Every set must have one file
/// per argument of `entry`, with the argument's dtype and static sizes; a
/// mismatch is an error on `entry` that names the input and the file.
FailureOr<std::vector<CalibrationSet>>
readCalibrationSets(StringRef dir, func::FuncOp entry);

/// A model compiled for calibration runs.
class CalibrationModel {
public:
  virtual ~CalibrationModel();
  /// Runs the model on `inputs` (one per entry argument, in order) and
  /// returns its outputs in result order. Fails with a diagnostic at `loc`.
  virtual FailureOr<std::vector<HostTensor>>
  run(Location loc, std::vector<HostTensor> &inputs) = 0;
};

/// Compiles modules for calibration; attached to the dsq dialect by whoever
/// can compile (the compile API).
class CalibrationRunnerInterface
    : public DialectInterface::Base<CalibrationRunnerInterface> {
public:
  CalibrationRunnerInterface(Dialect *dialect) : Base(dialect) {}

  /// Compiles a copy of `module` (dsg/dsq level; `module` is not modified)
  /// for the host, with `entry` as the function to run. Diagnostics go to
  /// the module's context.
  virtual FailureOr<std::unique_ptr<CalibrationModel>>
  compile(ModuleOp module, StringRef entry) const = 0;
};

/// What a quantized run changed, measured against the float run's outputs.
struct CalibrationMetrics {
  /// 10 log10(sum ref^2 / sum (ref - got)^2) over every float output;
  /// +inf when they are identical.
  double sqnrDb = 0;
  /// Rows (all dimensions but the last) of classifier-like outputs (float,
  /// rank >= 2, more than one class) whose arg max changed, over all rows;
  /// negative when no output is classifier-like.
  double top1Changed = -1;
};

/// Accumulates CalibrationMetrics over several runs.
class MetricsAccumulator {
public:
  void add(const HostTensor &reference, const HostTensor &got);
  CalibrationMetrics get() const;

private:
  double signal = 0, noise = 0;
  int64_t rows = 0, changed = 0;
};

} // namespace mlir::ds

MLIR_DECLARE_EXPLICIT_TYPE_ID(mlir::ds::CalibrationRunnerInterface)

#endif // DS_PASSES_QUANTIZATION_CALIBRATION_H
