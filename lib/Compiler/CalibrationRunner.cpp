//===- CalibrationRunner.cpp - ds-quantize's model runner -----------------===//
//
// The CalibrationRunnerInterface of passes/Quantization/Calibration.h, backed
// by the compile API and the runtime: a clone of the module goes through
// compileModel (without quantization, without fusion: the module is already
// past those stages) into a temporary artifact, which dsrt loads and runs.
// Compiling through the real pipeline costs a few seconds per candidate but
// measures exactly the code (kernels, rounding) the final artifact runs.
//
//===----------------------------------------------------------------------===//
#include "ds/Compiler/Compiler.h"

#include "Quant/QuantOps.h"
#include "passes/Quantization/Calibration.h"

#include "dsrt/dsrt.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <unistd.h>

using namespace mlir;
using namespace mlir::ds;

namespace {

class ArtifactModel : public CalibrationModel {
public:
  explicit ArtifactModel(dsrt_module *module) : module(module) {}
  ~ArtifactModel() override { dsrt_module_free(module); }

  FailureOr<std::vector<HostTensor>> run(Location loc,
                                         std::vector<HostTensor> &inputs) override {
    std::vector<dsrt_tensor> in;
    for (HostTensor &t : inputs)
      in.push_back(t.view());
    std::vector<HostTensor> outputs;
    std::vector<dsrt_tensor> out;
    int32_t n = dsrt_module_num_outputs(module);
    outputs.reserve(n);
    for (int32_t i = 0; i < n; ++i) {
      dsrt_tensor_info info;
      if (dsrt_module_output_info(module, i, &info) != DSRT_OK)
        return emitError(loc) << "ds-quantize: calibration model: "
                              << dsrt_last_error();
      outputs.emplace_back(info.dtype,
                           ArrayRef<int64_t>(info.shape, info.rank),
                           info.name ? info.name : "");
    }
    for (HostTensor &t : outputs)
      out.push_back(t.view());
    if (dsrt_module_run(module, in.data(), static_cast<int32_t>(in.size()),
                        out.data(), n) != DSRT_OK)
      return emitError(loc) << "ds-quantize: calibration run failed: "
                            << dsrt_last_error();
    return outputs;
  }

private:
  dsrt_module *module;
};

class CompilerCalibrationRunner : public CalibrationRunnerInterface {
public:
  using CalibrationRunnerInterface::CalibrationRunnerInterface;

  FailureOr<std::unique_ptr<CalibrationModel>>
  compile(ModuleOp module, StringRef entry) const override {
    OwningOpRef<ModuleOp> clone = module.clone();
    CompileOptions options;
    options.fuseAttention = false;
    options.target.entryName = entry.str();
    llvm::SmallString<128> path;
    int fd;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "ds-calibration", "so", fd, path))
      return emitError(module.getLoc())
             << "ds-quantize: cannot create a temporary artifact: "
             << ec.message();
    ::close(fd);
    auto cleanup = llvm::make_scope_exit(
        [&] { llvm::sys::fs::remove(path); });
    CompileStatus status = compileModel(*clone, options, path);
    if (status != CompileStatus::Success)
      return emitError(module.getLoc())
             << "ds-quantize: cannot compile the model for calibration ("
             << stringifyCompileStatus(status) << ")";
    dsrt_module *loaded = nullptr;
    if (dsrt_module_load(path.c_str(), &loaded) != DSRT_OK)
      return emitError(module.getLoc())
             << "ds-quantize: cannot load the calibration artifact: "
             << dsrt_last_error();
    return std::unique_ptr<CalibrationModel>(
        std::make_unique<ArtifactModel>(loaded));
  }
};

} // namespace

void ds::registerCalibrationRunner(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *, quant::DSQDialect *dialect) {
    dialect->addInterfaces<CompilerCalibrationRunner>();
  });
}
