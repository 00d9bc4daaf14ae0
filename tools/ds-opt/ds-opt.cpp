//===- ds-opt.cpp - mlir-opt with the ds dialects and passes --------------===//
#include "ds/Compiler/Compiler.h"
#include "ds/InitAll.h"
#include "passes/Distributed/LowerTopology/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::ds::registerAllPasses();
  // --ds-topology-report: the report option of every ds-lower-topology run.
  mlir::ds::registerLowerTopologyCLOptions();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::ds::registerAllDialects(registry);
  // ds-quantize{calibration=DIR} compiles and runs the model it quantizes.
  mlir::ds::registerCalibrationRunner(registry);
  // gpu-module-to-binary serializes device code through LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ds optimizer driver: every upstream and ds dialect and pass\n",
      registry));
}
