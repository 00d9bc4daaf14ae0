//===- CalibrationTest.cpp - ds-quantize's calibration pieces -------------===//
#include "passes/Quantization/Calibration.h"

#include "Quant/QuantOps.h"
#include "ds/Compiler/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::ds;

namespace {

HostTensor makeF32(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  HostTensor t(DSRT_F32, shape);
  std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

TEST(CalibrationMetrics, SQNRAndTop1) {
  // Two rows of three classes: row 0 keeps its arg max, row 1 loses it.
  HostTensor ref = makeF32({2, 3}, {1, 3, 2, 4, 0, 1});
  HostTensor got = makeF32({2, 3}, {1, 3, 2, 2, 3, 1});
  MetricsAccumulator acc;
  acc.add(ref, got);
  CalibrationMetrics m = acc.get();
  // signal = 1+9+4+16+0+1 = 31, noise = 4 + 9 = 13.
  EXPECT_NEAR(m.sqnrDb, 10 * std::log10(31.0 / 13.0), 1e-9);
  EXPECT_DOUBLE_EQ(m.top1Changed, 0.5);
}

TEST(CalibrationMetrics, IdenticalAndNonClassifier) {
  HostTensor a = makeF32({4, 1}, {1, 2, 3, 4});
  MetricsAccumulator acc;
  acc.add(a, a);
  CalibrationMetrics m = acc.get();
  EXPECT_TRUE(std::isinf(m.sqnrDb) && m.sqnrDb > 0);
  // One value per row: no class to compare.
  EXPECT_LT(m.top1Changed, 0);
}

TEST(CalibrationMetrics, AccumulatesOverRuns) {
  MetricsAccumulator acc;
  acc.add(makeF32({1, 2}, {1, 0}), makeF32({1, 2}, {0, 1}));
  acc.add(makeF32({1, 2}, {1, 0}), makeF32({1, 2}, {1, 0}));
  EXPECT_DOUBLE_EQ(acc.get().top1Changed, 0.5);
  EXPECT_NEAR(acc.get().sqnrDb, 10 * std::log10(2.0 / 2.0), 1e-12);
}

/// A context that can compile (and so calibrate) models.
class CalibrationFixture : public ::testing::Test {
protected:
  CalibrationFixture() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->loadAllAvailableDialects();
    module = parseSourceString<ModuleOp>(R"mlir(
      func.func @main(%x: tensor<2x4xf32> {ds.name = "x"}) -> tensor<2x3xf32> {
        %w = dsg.constant dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0],
                                 [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]> : tensor<4x3xf32>
        %y = dsg.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
        return %y : tensor<2x3xf32>
      })mlir",
                                      context.get());
    EXPECT_TRUE(module);
    llvm::sys::fs::createUniqueDirectory("ds-calibration-test", dir);
  }
  ~CalibrationFixture() override { llvm::sys::fs::remove_directories(dir); }

  func::FuncOp entry() { return module->lookupSymbol<func::FuncOp>("main"); }

  std::string write(StringRef sub, StringRef file, const HostTensor &t) {
    llvm::SmallString<128> folder(dir);
    llvm::sys::path::append(folder, sub);
    llvm::sys::fs::create_directories(folder);
    llvm::SmallString<128> path(folder);
    llvm::sys::path::append(path, file);
    EXPECT_FALSE(static_cast<bool>(writeTensorProtoFile(t, path)));
    return std::string(folder);
  }

  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> module;
  llvm::SmallString<128> dir;
};

TEST_F(CalibrationFixture, ReadsOneSetOrAFolderOfSets) {
  HostTensor x = makeF32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  std::string one = write("sets/a", "input_0.pb", x);
  write("sets/b", "input_0.pb", x);
  FailureOr<std::vector<CalibrationSet>> single =
      readCalibrationSets(one, entry());
  ASSERT_TRUE(succeeded(single));
  EXPECT_EQ(single->size(), 1u);
  llvm::SmallString<128> root(dir);
  llvm::sys::path::append(root, "sets");
  FailureOr<std::vector<CalibrationSet>> both =
      readCalibrationSets(root, entry());
  ASSERT_TRUE(succeeded(both));
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[1].inputs[0].shape()[1], 4);
}

TEST_F(CalibrationFixture, MismatchNamesInputAndFile) {
  std::string bad = write("bad", "input_0.pb", makeF32({1, 4}, {1, 2, 3, 4}));
  std::string message;
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &d) {
    message = d.str();
    return success();
  });
  EXPECT_TRUE(failed(readCalibrationSets(bad, entry())));
  EXPECT_NE(message.find("calibration input 'x'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("bad/input_0.pb"), std::string::npos) << message;
  EXPECT_NE(message.find("expected tensor<2x4xf32>, found float32[1, 4]"),
            std::string::npos)
      << message;
}

TEST_F(CalibrationFixture, RunnerCompilesAndRuns) {
  auto *dialect = context->getLoadedDialect<quant::DSQDialect>();
  ASSERT_TRUE(dialect);
  auto *runner = dialect->getRegisteredInterface<CalibrationRunnerInterface>();
  ASSERT_TRUE(runner);
  FailureOr<std::unique_ptr<CalibrationModel>> model =
      runner->compile(*module, "main");
  ASSERT_TRUE(succeeded(model));
  std::vector<HostTensor> inputs;
  inputs.push_back(makeF32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}));
  FailureOr<std::vector<HostTensor>> out =
      (*model)->run(module->getLoc(), inputs);
  ASSERT_TRUE(succeeded(out));
  ASSERT_EQ(out->size(), 1u);
  const float *y = reinterpret_cast<const float *>((*out)[0].data());
  // x @ w: [1+4, 2+4, 3+4], [5+8, 6+8, 7+8].
  EXPECT_FLOAT_EQ(y[0], 5);
  EXPECT_FLOAT_EQ(y[2], 7);
  EXPECT_FLOAT_EQ(y[5], 15);
  // The module the pass is running on is left as it was.
  EXPECT_TRUE(module->lookupSymbol<func::FuncOp>("main").getFunctionType() ==
              FunctionType::get(context.get(),
                                {RankedTensorType::get({2, 4},
                                                       Float32Type::get(
                                                           context.get()))},
                                {RankedTensorType::get(
                                    {2, 3}, Float32Type::get(context.get()))}));
}

} // namespace
