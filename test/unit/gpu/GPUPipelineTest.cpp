//===- GPUPipelineTest.cpp - GPU compilation and artifacts, no GPU -------===//
//
// Compiles small models for CUDA and ROCm through the public API, checks the
// kernel images, and loads the artifacts with dsrt on a machine without a
// driver: loading must fail with DSRT_DEVICE_ERROR and a message naming what
// is missing, never crash or hang. DSRT_CUDA_LIBRARY / DSRT_HIP_LIBRARY point
// at files that do not exist, so the tests behave the same on GPU machines.
//
//===----------------------------------------------------------------------===//
#include "ds/Compiler/Compiler.h"
#include "ds/ds.h"
#include "dsrt/dsrt.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string input(const std::string &name) {
  return std::string(DS_TEST_INPUTS) + "/" + name;
}

/// Compiles add.mlir for `target` into memory.
ds::CompileResult compileAdd(const std::string &target,
                             const std::string &chip = "") {
  ds::Compiler compiler;
  ds::CompileOptions options;
  options.target = target;
  options.chip = chip;
  return compiler.compileMLIR(readFile(input("add.mlir")), options);
}

TEST(GPUCompile, CudaArtifactWithoutDriverFailsToLoadWithAMessage) {
  ds::CompileResult r = compileAdd("cuda", "sm_90");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_FALSE(r.artifact.empty());
  setenv("DSRT_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
  dsrt_module *module = nullptr;
  dsrt_status st =
      dsrt_module_load_memory(r.artifact.data(), r.artifact.size(), &module);
  unsetenv("DSRT_CUDA_LIBRARY");
  EXPECT_EQ(st, DSRT_DEVICE_ERROR);
  EXPECT_EQ(module, nullptr);
  std::string message = dsrt_last_error();
  EXPECT_NE(message.find("no CUDA driver"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/libcuda.so.1"), std::string::npos);
}

TEST(GPUCompile, RocmArtifactWithoutRuntimeFailsToLoadWithAMessage) {
  ds::CompileResult r = compileAdd("rocm", "gfx942");
  ASSERT_TRUE(r.ok()) << r.message();
  setenv("DSRT_HIP_LIBRARY", "/nonexistent/libamdhip64.so", 1);
  dsrt_module *module = nullptr;
  dsrt_status st =
      dsrt_module_load_memory(r.artifact.data(), r.artifact.size(), &module);
  unsetenv("DSRT_HIP_LIBRARY");
  EXPECT_EQ(st, DSRT_DEVICE_ERROR);
  std::string message = dsrt_last_error();
  EXPECT_NE(message.find("no HIP runtime"), std::string::npos) << message;
}

TEST(GPUCompile, ChipOfTheWrongFamilyIsInvalid) {
  ds::CompileResult r = compileAdd("cuda", "gfx942");
  EXPECT_EQ(r.status, ds::Status::Invalid);
  EXPECT_NE(r.message().find("expected a CUDA chip"), std::string::npos)
      << r.message();
  r = compileAdd("rocm", "sm_90");
  EXPECT_EQ(r.status, ds::Status::Invalid);
  EXPECT_NE(r.message().find("expected a ROCm chip"), std::string::npos);
  r = compileAdd("cpu", "sm_90");
  EXPECT_EQ(r.status, ds::Status::Invalid);
}

TEST(GPUCompile, KernelsOfEveryTargetComeOutAsText) {
  namespace mds = mlir::ds;
  struct Case {
    mds::TargetKind kind;
    const char *chip, *marker;
  };
  mlir::DialectRegistry registry;
  mds::registerCompilerDialects(registry);
  for (const Case &c : {Case{mds::TargetKind::CUDA, "sm_80", ".target sm_80"},
                        Case{mds::TargetKind::ROCm, "gfx90a",
                             ".amdgcn_target"}}) {
    const char *chip = c.chip, *marker = c.marker;
    mlir::MLIRContext context(registry);
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceFile<mlir::ModuleOp>(input("add.mlir"), &context);
    ASSERT_TRUE(module);
    mds::CompileOptions options;
    options.targetKind = c.kind;
    options.chip = chip;
    std::string text;
    llvm::SmallVector<std::string> kernels;
    ASSERT_EQ(mds::compileKernels(*module, options,
                                  mds::KernelOutput::Assembly, text, &kernels),
              mds::CompileStatus::Success);
    EXPECT_NE(text.find(marker), std::string::npos) << chip;
    ASSERT_EQ(kernels.size(), 1u);
    EXPECT_NE(text.find(kernels[0]), std::string::npos);
  }
}

TEST(GPUCompile, TargetChipValidation) {
  using mlir::ds::checkChip;
  using mlir::ds::GPURuntime;
  EXPECT_FALSE(checkChip(GPURuntime::CUDA, "sm_90"));
  EXPECT_FALSE(checkChip(GPURuntime::CUDA, "sm_90a"));
  EXPECT_FALSE(checkChip(GPURuntime::CUDA, "sm_100"));
  EXPECT_TRUE(checkChip(GPURuntime::CUDA, "sm_"));
  EXPECT_TRUE(checkChip(GPURuntime::CUDA, "sm90"));
  EXPECT_TRUE(checkChip(GPURuntime::CUDA, "sm_9x"));
  EXPECT_FALSE(checkChip(GPURuntime::ROCm, "gfx942"));
  EXPECT_FALSE(checkChip(GPURuntime::ROCm, "gfx90a"));
  EXPECT_FALSE(checkChip(GPURuntime::ROCm, "gfx1100"));
  EXPECT_TRUE(checkChip(GPURuntime::ROCm, "gfx"));
  EXPECT_TRUE(checkChip(GPURuntime::ROCm, "mi300"));
}

} // namespace
