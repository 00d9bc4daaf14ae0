//===- CompilerAPITest.cpp - The C++ embedding API (ds/ds.h, dsrt.hpp) ----===//
#include "ds/ds.h"
#include "dsrt/dsrt.hpp"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

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

/// Runs add.onnx's z = x + y on x = 0..5, y = 10 and checks z.
void expectAdds(const dsrt::Module &m) {
  ASSERT_TRUE(m) << m.error();
  ASSERT_EQ(m.inputs().size(), 2u);
  ASSERT_EQ(m.outputs().size(), 1u);
  EXPECT_EQ(m.inputs()[0].name, "x");
  EXPECT_EQ(m.inputs()[1].name, "y");
  EXPECT_EQ(m.outputs()[0].name, "z");
  EXPECT_EQ(m.inputs()[0].dtype, DSRT_F32);
  EXPECT_EQ(m.outputs()[0].shape, (std::vector<int64_t>{2, 3}));
  std::vector<float> x = {0, 1, 2, 3, 4, 5}, y(6, 10.0f), z(6, -1.0f);
  std::vector<int64_t> shape = {2, 3};
  dsrt::Status st = m.run({dsrt::tensor(x.data(), DSRT_F32, shape),
                           dsrt::tensor(y.data(), DSRT_F32, shape)},
                          {dsrt::tensor(z.data(), DSRT_F32, shape)});
  ASSERT_TRUE(st) << st.message;
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(z[i], 10.0f + i);
  // Bad shapes come back as a status.
  st = m.run({dsrt::tensor(x.data(), DSRT_F32, {3, 2}),
              dsrt::tensor(y.data(), DSRT_F32, shape)},
             {dsrt::tensor(z.data(), DSRT_F32, shape)});
  EXPECT_EQ(st.code, DSRT_INVALID_ARGUMENT);
  EXPECT_NE(st.message.find("'x'"), std::string::npos) << st.message;
}

bool hasError(const ds::CompileResult &r) {
  for (const ds::Diagnostic &d : r.diagnostics)
    if (d.severity == ds::Severity::Error)
      return true;
  return false;
}

TEST(CompilerAPI, CompilesONNXBytesAndRuns) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileONNX(readFile(input("add.onnx")));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.artifact.compare(0, 4, "\x7f" "ELF"), 0);
  expectAdds(dsrt::Module::loadFromMemory(r.artifact));
  // The compiler is reusable.
  ds::CompileResult again = compiler.compileONNX(readFile(input("add.onnx")));
  ASSERT_TRUE(again.ok()) << again.message();
  expectAdds(dsrt::Module::loadFromMemory(again.artifact));
}

TEST(CompilerAPI, CompilesMLIRText) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileMLIR(readFile(input("add.mlir")));
  ASSERT_TRUE(r.ok()) << r.message();
  expectAdds(dsrt::Module::loadFromMemory(r.artifact));
}

TEST(CompilerAPI, CompilesFileToDisk) {
  std::string out = testing::TempDir() + "ds-api-test-" +
                    std::to_string(getpid()) + ".so";
  ds::CompileOptions options;
  options.outputPath = out;
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileFile(input("add.onnx"), options);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(r.artifact.empty());
  expectAdds(dsrt::Module::load(out));
  std::remove(out.c_str());
}

TEST(CompilerAPI, BadMLIRTextGivesLocatedDiagnostics) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileMLIR(
      "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
      "  %y = dsg.no_such_op %x : tensor<2xf32>\n"
      "  return %y : tensor<2xf32>\n"
      "}\n",
      {}, "bad.mlir");
  EXPECT_EQ(r.status, ds::Status::Invalid);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].severity, ds::Severity::Error);
  EXPECT_EQ(r.diagnostics[0].location.rfind("bad.mlir:2:", 0), 0u)
      << r.diagnostics[0].location;
  EXPECT_NE(r.diagnostics[0].message.find("no_such_op"), std::string::npos)
      << r.diagnostics[0].message;
  EXPECT_EQ(r.message().rfind("bad.mlir:2:", 0), 0u) << r.message();
}

TEST(CompilerAPI, UnsupportedONNXOpNamesTheNode) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileONNX(
      readFile(input("unsupported/model.onnx")), {}, "random.onnx");
  EXPECT_EQ(r.status, ds::Status::Unsupported);
  ASSERT_TRUE(hasError(r));
  EXPECT_EQ(r.diagnostics[0].location, "random.onnx: 'RandomUniformLike_0'");
  EXPECT_NE(r.diagnostics[0].message.find("RandomUniformLike"), std::string::npos);
}

TEST(CompilerAPI, MalformedONNXIsAnErrorNotACrash) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileONNX("this is not a protobuf",
                                             {}, "junk.onnx");
  EXPECT_EQ(r.status, ds::Status::Invalid);
  EXPECT_TRUE(hasError(r));
  EXPECT_TRUE(r.artifact.empty());
  // Still usable afterwards.
  EXPECT_TRUE(compiler.compileONNX(readFile(input("add.onnx"))).ok());
}

TEST(CompilerAPI, MissingFile) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileFile("/nonexistent/model.onnx");
  EXPECT_EQ(r.status, ds::Status::Invalid);
  EXPECT_NE(r.message().find("no such file"), std::string::npos);
}

TEST(CompilerAPI, UnsupportedTargetAndBadOptions) {
  ds::Compiler compiler;
  ds::CompileOptions options;
  options.target = "tpu-v9";
  ds::CompileResult r = compiler.compileMLIR(readFile(input("add.mlir")),
                                             options);
  EXPECT_EQ(r.status, ds::Status::Unsupported);
  EXPECT_NE(r.message().find("'tpu-v9'"), std::string::npos) << r.message();

  options = {};
  options.optLevel = 7;
  EXPECT_EQ(compiler.compileMLIR(readFile(input("add.mlir")), options).status,
            ds::Status::Invalid);
  options = {};
  options.entry = "nope";
  r = compiler.compileMLIR(readFile(input("add.mlir")), options);
  EXPECT_EQ(r.status, ds::Status::Invalid);
  EXPECT_NE(r.message().find("@nope"), std::string::npos) << r.message();
}

TEST(CompilerAPI, ProgressAndTiming) {
  ds::Compiler compiler;
  ds::CompileOptions options;
  std::vector<std::string> stages;
  options.progress = [&](const std::string &s) { stages.push_back(s); };
  options.timing = true;
  ds::CompileResult r = compiler.compileMLIR(readFile(input("add.mlir")),
                                             options);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(stages,
            (std::vector<std::string>{"import", "graph", "linalg", "llvm",
                                      "codegen"}));
  EXPECT_NE(r.timing.find("Total"), std::string::npos) << r.timing;
  EXPECT_NE(r.timing.find("codegen"), std::string::npos) << r.timing;
  EXPECT_NE(r.timing.find("ConvertGraphToLinalg"), std::string::npos)
      << r.timing;
}

TEST(CompilerAPI, TwoCompilersOnTwoThreads) {
  std::string model = readFile(input("add.onnx"));
  ds::CompileResult results[2];
  std::thread threads[2];
  for (int t = 0; t < 2; ++t)
    threads[t] = std::thread([&, t] {
      ds::Compiler compiler;
      for (int i = 0; i < 2; ++i)
        results[t] = compiler.compileONNX(model);
    });
  for (std::thread &t : threads)
    t.join();
  for (const ds::CompileResult &r : results) {
    ASSERT_TRUE(r.ok()) << r.message();
    expectAdds(dsrt::Module::loadFromMemory(r.artifact));
  }
}

TEST(CompilerAPI, LoadFromMemoryRejectsJunk) {
  dsrt::Module m = dsrt::Module::loadFromMemory(std::string("not an ELF"));
  EXPECT_FALSE(m);
  EXPECT_NE(m.error().find("<memory>"), std::string::npos) << m.error();
}

} // namespace

namespace {
// A model whose output size follows its input: y[?] = relu(x[?]) * 2 and the
// indices of its non-zero elements, nz[1x?] (a data-dependent size).
constexpr const char *kDynamicModel = R"mlir(
func.func @main(%x: tensor<?xf32> {ds.name = "x"})
    -> (tensor<?xf32> {ds.name = "y"}, tensor<1x?xi64> {ds.name = "nz"}) {
  %two = dsg.constant dense<2.0> : tensor<f32>
  %r = dsg.relu %x : tensor<?xf32>
  %y = dsg.mul %r, %two : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %nz = dsg.nonzero %y : tensor<?xf32> -> tensor<1x?xi64>
  return %y, %nz : tensor<?xf32>, tensor<1x?xi64>
}
)mlir";
} // namespace

TEST(CompilerAPI, DynamicOutputsCompileOnceAndRunForSeveralSizes) {
  ds::Compiler compiler;
  ds::CompileResult r = compiler.compileMLIR(kDynamicModel);
  ASSERT_TRUE(r.ok()) << r.message();
  dsrt::Module m = dsrt::Module::loadFromMemory(r.artifact);
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m.outputs()[0].shape, (std::vector<int64_t>{-1}));
  EXPECT_EQ(m.outputs()[1].shape, (std::vector<int64_t>{1, -1}));
  for (std::vector<float> x : {std::vector<float>{-1, 2},
                               std::vector<float>{3, -4, 0, 5, 6},
                               std::vector<float>{}}) {
    std::vector<int64_t> shape = {static_cast<int64_t>(x.size())};
    std::vector<dsrt::OwnedTensor> outs;
    dsrt::Status st =
        m.runAlloc({dsrt::tensor(x.data(), DSRT_F32, shape)}, outs);
    ASSERT_TRUE(st) << st.message;
    ASSERT_EQ(outs.size(), 2u);
    ASSERT_EQ(outs[0].shape(), shape);
    const float *y = static_cast<const float *>(outs[0].data());
    std::vector<int64_t> expectedIndices;
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(y[i], x[i] > 0 ? 2 * x[i] : 0.0f) << i;
      if (x[i] > 0)
        expectedIndices.push_back(static_cast<int64_t>(i));
    }
    EXPECT_EQ(outs[1].dtype(), DSRT_I64);
    ASSERT_EQ(outs[1].shape(),
              (std::vector<int64_t>{1, int64_t(expectedIndices.size())}));
    const int64_t *nz = static_cast<const int64_t *>(outs[1].data());
    EXPECT_EQ(std::vector<int64_t>(nz, nz + expectedIndices.size()),
              expectedIndices);
  }
  // Caller buffers work when they have the produced shape.
  std::vector<float> x = {1, -1, 2}, y(3);
  std::vector<int64_t> nz(2);
  std::vector<int64_t> shape = {3}, nzShape = {1, 2};
  dsrt::Status st = m.run({dsrt::tensor(x.data(), DSRT_F32, shape)},
                          {dsrt::tensor(y.data(), DSRT_F32, shape),
                           dsrt::tensor(nz.data(), DSRT_I64, nzShape)});
  ASSERT_TRUE(st) << st.message;
  EXPECT_EQ(y, (std::vector<float>{2, 0, 4}));
  EXPECT_EQ(nz, (std::vector<int64_t>{0, 2}));
}

TEST(CompilerAPI, DynamicOutputsAreUnsupportedOnGPUTargets) {
  ds::Compiler compiler;
  ds::CompileOptions options;
  options.target = "cuda";
  ds::CompileResult r = compiler.compileMLIR(kDynamicModel, options);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.message().find("shape known only at run time"),
            std::string::npos)
      << r.message();
}
