//===- GPUPipelineTest.cpp - GPU compilation and artifacts, no GPU -------===//
//
// Compiles small models for CUDA and ROCm through the public API, checks the
// kernel images, and loads the artifacts with dsrt on a machine without a
// driver: loading must fail with DSRT_DEVICE_ERROR and a message naming what
// is missing, never crash or hang. DSRT_CUDA_LIBRARY / DSRT_HIP_LIBRARY point
// at files that do not exist, so the tests behave the same on GPU machines.
//
//===----------------------------------------------------------------------===//
#include "FakeCudaUtil.h"

#include "ds/Compiler/Compiler.h"
#include "ds/ds.h"
#include "dsrt/dsrt.h"
#include "gpu/Backend.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

using dsrt::test::compileForFakeCuda;
using dsrt::test::fakeCudaCounter;
using dsrt::test::fakeCudaDriver;

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

//===----------------------------------------------------------------------===//
// A fake driver (test/unit/gpu/fake_cuda.c): the runtime's success paths and
// injected failures, still without a GPU. These run after the missing-driver
// tests above: once a backend is open it stays open for the process.
//===----------------------------------------------------------------------===//

/// z = exp(x + y) @ x^T @ x: matmul results are intermediate buffers, so
/// runs allocate device memory.
constexpr const char *kTwoOps = R"mlir(
func.func @main(%x: tensor<2x3xf32> {ds.name = "x"},
                %y: tensor<2x3xf32> {ds.name = "y"})
    -> (tensor<2x3xf32> {ds.name = "z"}) {
  %s = dsg.add %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %e = dsg.exp %s : tensor<2x3xf32>
  %t = dsg.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %m = dsg.matmul %e, %t : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %z = dsg.matmul %m, %x : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}
)mlir";

struct FakeDriverRun {
  dsrt_status load, run = DSRT_OK;
  std::string loadError, runError;
};

/// Compiles kTwoOps for CUDA, loads and runs it on the fake driver with
/// FAKE_CUDA_FAIL=`fail` (empty: no failure).
FakeDriverRun runOnFakeDriver(const std::string &fail) {
  ds::CompileResult r = compileForFakeCuda(kTwoOps);
  if (fail.empty())
    unsetenv("FAKE_CUDA_FAIL");
  else
    setenv("FAKE_CUDA_FAIL", fail.c_str(), 1);
  FakeDriverRun out;
  dsrt_module *module = nullptr;
  out.load =
      dsrt_module_load_memory(r.artifact.data(), r.artifact.size(), &module);
  if (out.load != DSRT_OK) {
    out.loadError = dsrt_last_error();
  } else {
    float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {0}, z[6] = {0};
    int64_t shape[2] = {2, 3};
    dsrt_tensor in[2] = {{x, DSRT_F32, 2, shape}, {y, DSRT_F32, 2, shape}};
    dsrt_tensor res[1] = {{z, DSRT_F32, 2, shape}};
    out.run = dsrt_module_run(module, in, 2, res, 1);
    if (out.run != DSRT_OK)
      out.runError = dsrt_last_error();
    dsrt_module_free(module);
  }
  unsetenv("FAKE_CUDA_FAIL");
  return out;
}

int fakeLaunches() { return fakeCudaCounter("fake_cuda_launches"); }

TEST(GPUFakeDriver, LoadsLaunchesEveryKernelAndReturns) {
  FakeDriverRun r = runOnFakeDriver("");
  ASSERT_EQ(r.load, DSRT_OK) << r.loadError;
  EXPECT_EQ(r.run, DSRT_OK) << r.runError;
  // Fills, the fused add+exp, the transpose and two matmuls.
  EXPECT_GE(fakeLaunches(), 4);
  // x, y and z share a page (they are small stack arrays): registering
  // them overlapped, and each was mapped anyway; all are released after
  // the run.
  EXPECT_EQ(fakeCudaCounter("fake_cuda_registered_ranges"), 0);
  EXPECT_EQ(fakeCudaCounter("fake_cuda_bad_unregisters"), 0);
}

TEST(GPUFakeDriver, WrongChipNamesTheDeviceChip) {
  FakeDriverRun r = runOnFakeDriver("chip");
  EXPECT_EQ(r.load, DSRT_DEVICE_ERROR);
  EXPECT_NE(r.loadError.find("CUDA_ERROR_NO_BINARY_FOR_GPU"),
            std::string::npos)
      << r.loadError;
  EXPECT_NE(r.loadError.find("recompile with --chip=sm_80"),
            std::string::npos)
      << r.loadError;
}

TEST(GPUFakeDriver, LaunchFailureNamesTheKernel) {
  FakeDriverRun r = runOnFakeDriver("launch");
  ASSERT_EQ(r.load, DSRT_OK) << r.loadError;
  EXPECT_EQ(r.run, DSRT_DEVICE_ERROR);
  EXPECT_NE(r.runError.find("kernel 'main_kernel"), std::string::npos)
      << r.runError;
  EXPECT_NE(r.runError.find("CUDA_ERROR_LAUNCH_FAILED"), std::string::npos);
}

TEST(GPUFakeDriver, KernelFaultAtSynchronizationNamesTheKernel) {
  FakeDriverRun r = runOnFakeDriver("sync");
  ASSERT_EQ(r.load, DSRT_OK) << r.loadError;
  EXPECT_EQ(r.run, DSRT_DEVICE_ERROR);
  EXPECT_NE(r.runError.find("failed: cuStreamSynchronize failed: "
                            "CUDA_ERROR_ILLEGAL_ADDRESS"),
            std::string::npos)
      << r.runError;
  EXPECT_NE(r.runError.find("kernel 'main_kernel"), std::string::npos);
}


/// y = x + w with a constant w: the device-resident memory model end to
/// end on the fake driver, which performs copies (kernels do not run).
constexpr const char *kWithConstant = R"mlir(
func.func @main(%x: tensor<4xf32> {ds.name = "x"})
    -> (tensor<4xf32> {ds.name = "y"}) {
  %w = dsg.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = dsg.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
)mlir";

TEST(GPUFakeDriver, WeightsStayResidentAndEachRunSynchronizesOnce) {
  ds::CompileResult r = compileForFakeCuda(kWithConstant);
  ASSERT_TRUE(r.ok());
  unsetenv("FAKE_CUDA_FAIL");
  dsrt_module *module = nullptr;
  ASSERT_EQ(dsrt_module_load_memory(r.artifact.data(), r.artifact.size(),
                                    &module),
            DSRT_OK)
      << dsrt_last_error();
  float x[4] = {1, 2, 3, 4}, y[4];
  int64_t shape[1] = {4};
  dsrt_tensor in[1] = {{x, DSRT_F32, 1, shape}};
  dsrt_tensor out[1] = {{y, DSRT_F32, 1, shape}};
  struct Counts {
    int allocs, frees, copies, syncs, registered;
  };
  auto counts = [] {
    return Counts{fakeCudaCounter("fake_cuda_allocs"),
                  fakeCudaCounter("fake_cuda_frees"),
                  fakeCudaCounter("fake_cuda_copies"),
                  fakeCudaCounter("fake_cuda_syncs"),
                  fakeCudaCounter("fake_cuda_registered_ranges")};
  };
  Counts c0 = counts();
  ASSERT_EQ(dsrt_module_run(module, in, 1, out, 1), DSRT_OK)
      << dsrt_last_error();
  Counts c1 = counts();
  // First run: the constant is uploaded (one copy, one synchronization of
  // the upload), x is copied in, y copied out; one synchronization of the
  // run's stream; nothing is page-locked.
  EXPECT_EQ(c1.copies - c0.copies, 3);
  EXPECT_EQ(c1.syncs - c0.syncs, 2);
  EXPECT_EQ(c1.registered, 0);
  EXPECT_GE(c1.allocs - c0.allocs, 1);
  for (int run = 0; run < 3; ++run)
    ASSERT_EQ(dsrt_module_run(module, in, 1, out, 1), DSRT_OK)
        << dsrt_last_error();
  Counts c2 = counts();
  // Later runs: no upload, no driver allocation or free (the pool is hot),
  // two copies and one synchronization each.
  EXPECT_EQ(c2.copies - c1.copies, 3 * 2);
  EXPECT_EQ(c2.syncs - c1.syncs, 3 * 1);
  EXPECT_EQ(c2.allocs - c1.allocs, 0);
  EXPECT_EQ(c2.frees - c1.frees, 0);
  // Unloading the artifact frees the constant's device copy.
  dsrt_module_free(module);
  Counts c3 = counts();
  EXPECT_EQ(c3.frees - c2.frees, 1);
}

TEST(GPUFakeDriver, OutOfMemoryIsReported) {
  // Intermediates come from the process-wide pool, which earlier tests
  // left hot; a constant's first upload always asks the driver.
  ds::CompileResult r = compileForFakeCuda(kWithConstant);
  ASSERT_TRUE(r.ok());
  dsrt_module *module = nullptr;
  ASSERT_EQ(dsrt_module_load_memory(r.artifact.data(), r.artifact.size(),
                                    &module),
            DSRT_OK)
      << dsrt_last_error();
  float x[4] = {1, 2, 3, 4}, y[4];
  int64_t shape[1] = {4};
  dsrt_tensor in[1] = {{x, DSRT_F32, 1, shape}};
  dsrt_tensor out[1] = {{y, DSRT_F32, 1, shape}};
  setenv("FAKE_CUDA_FAIL", "oom", 1);
  dsrt_status st = dsrt_module_run(module, in, 1, out, 1);
  std::string message = st == DSRT_OK ? "" : dsrt_last_error();
  unsetenv("FAKE_CUDA_FAIL");
  EXPECT_EQ(st, DSRT_DEVICE_ERROR);
  EXPECT_NE(message.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos)
      << message;
  EXPECT_NE(message.find("requested 16 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("bytes in use by ds"), std::string::npos) << message;
  // The failure is not sticky: the next run uploads and succeeds.
  EXPECT_EQ(dsrt_module_run(module, in, 1, out, 1), DSRT_OK)
      << dsrt_last_error();
  dsrt_module_free(module);
}

TEST(GPUFakeDriver, NoDeviceIsReported) {
  // A fresh backend instance (the test binary's own copy of the backend).
  setenv("FAKE_CUDA_FAIL", "nodevice", 1);
  std::unique_ptr<dsrt::gpu::Backend> backend;
  dsrt::gpu::Status st =
      dsrt::gpu::openCudaBackend(backend, 0, fakeCudaDriver());
  unsetenv("FAKE_CUDA_FAIL");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message.find("no CUDA device: the driver reports 0 devices"),
            std::string::npos)
      << st.message;
  ASSERT_TRUE(dsrt::gpu::openCudaBackend(backend, 0, fakeCudaDriver()));
  EXPECT_NE(backend->describe().find("Fake GPU (sm_80)"), std::string::npos)
      << backend->describe();
}

} // namespace
