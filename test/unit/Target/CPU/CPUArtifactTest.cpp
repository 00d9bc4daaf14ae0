//===- CPUArtifactTest.cpp - Compile with the CPU back end, run with dsrt ===//
//
// End to end below the importer: hand-written linalg-level modules are
// compiled to shared libraries, loaded with the runtime and compared with
// reference results computed here.
//
//===----------------------------------------------------------------------===//
#include "ds/Compiler/Compiler.h"
#include "ds/Target/CPU/CPUTarget.h"
#include "dsrt/dsrt.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Half-precision helpers (the reference must not depend on compiler
// support for _Float16 / __bf16).
//===----------------------------------------------------------------------===//

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t toBF16(float f) {
  uint32_t u = bitsOf(f);
  u += 0x7fff + ((u >> 16) & 1); // Round to nearest even; finite inputs only.
  return static_cast<uint16_t>(u >> 16);
}
float fromBF16(uint16_t h) { return floatOf(uint32_t(h) << 16); }

float fromF16(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  int exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  if (exponent == 0) // Zero or subnormal.
    return (sign ? -1.0f : 1.0f) * std::ldexp(float(mantissa), -24);
  if (exponent == 31)
    return floatOf(sign | 0x7f800000 | (mantissa << 13));
  return floatOf(sign | uint32_t(exponent - 15 + 127) << 23 | mantissa << 13);
}

/// Float → f16, round to nearest even; normal-range inputs only (the test
/// data stays within it).
uint16_t toF16(float f) {
  uint32_t u = bitsOf(f);
  uint32_t sign = (u >> 16) & 0x8000;
  int exponent = int((u >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = u & 0x7fffff;
  if (exponent <= 0)
    return static_cast<uint16_t>(sign); // Flushes; not reached by the data.
  uint32_t half = sign | uint32_t(exponent) << 10 | mantissa >> 13;
  uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return static_cast<uint16_t>(half);
}

//===----------------------------------------------------------------------===//
// Fixture
//===----------------------------------------------------------------------===//

class CPUArtifactTest : public testing::Test {
protected:
  CPUArtifactTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    ds::registerCompilerDialects(registry);
    return registry;
  }

  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("ds-cpu-test", tempDir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(tempDir); }

  std::string tempPath(StringRef name) {
    SmallString<128> path(tempDir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  }

  OwningOpRef<ModuleOp> parse(StringRef source) {
    return parseSourceString<ModuleOp>(source, &context);
  }

  /// Compiles `source` to `name` in the temporary directory, collecting
  /// diagnostics in `diagnostics`.
  LogicalResult compile(StringRef source, StringRef name) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      diagnostics += diag.str() + "\n";
    });
    OwningOpRef<ModuleOp> module = parse(source);
    if (!module)
      return failure();
    auto main = module->lookupSymbol<func::FuncOp>("main");
    if (!main)
      return failure();
    FailureOr<ds::ArtifactMetadata> metadata = ds::buildArtifactMetadata(main);
    if (failed(metadata))
      return failure();
    return ds::emitCPUArtifact(*module, *metadata, tempPath(name));
  }

  MLIRContext context;
  SmallString<128> tempDir;
  std::string diagnostics;
};

struct ModuleHandle {
  dsrt_module *module = nullptr;
  ~ModuleHandle() { dsrt_module_free(module); }
};

template <typename T>
dsrt_tensor tensor(std::vector<T> &data, const std::vector<int64_t> &shape,
                   dsrt_dtype dtype) {
  return dsrt_tensor{data.data(), dtype, int32_t(shape.size()), shape.data()};
}

void expectClose(float expected, float actual, float relTol, float absTol,
                 const std::string &what) {
  EXPECT_LE(std::fabs(expected - actual),
            absTol + relTol * std::fabs(expected))
      << what << ": expected " << expected << ", found " << actual;
}

//===----------------------------------------------------------------------===//
// Tests
//===----------------------------------------------------------------------===//

constexpr const char *kModelSource = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<4x8xf32> {ds.name = "a"},
                %b: tensor<8x4xf32> {ds.name = "b"},
                %h: tensor<4x8xf16> {ds.name = "h"},
                %g: tensor<4x8xbf16> {ds.name = "g"})
    -> (tensor<4x4xf32> {ds.name = "mm"}, tensor<4x8xf32> {ds.name = "ew"},
        tensor<4x8xf16> {ds.name = "half"}, tensor<4x8xbf16> {ds.name = "bh"},
        tensor<4x8xi1> {ds.name = "pos"}, tensor<4x16xf32> {ds.name = "cat"}) {
  %zero = arith.constant 0.0 : f32
  %e44 = tensor.empty() : tensor<4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>)
                      outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %e48 = tensor.empty() : tensor<4x8xf32>
  %ew = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %h : tensor<4x8xf32>, tensor<4x8xf16>) outs(%e48 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f16, %o: f32):
    %ex = math.exp %x : f32
    %er = math.erf %x : f32
    %yf = arith.extf %y : f16 to f32
    %s0 = arith.addf %ex, %er : f32
    %s1 = arith.addf %s0, %yf : f32
    linalg.yield %s1 : f32
  } -> tensor<4x8xf32>
  %eh = tensor.empty() : tensor<4x8xf16>
  %half = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %h : tensor<4x8xf32>, tensor<4x8xf16>) outs(%eh : tensor<4x8xf16>) {
  ^bb0(%x: f32, %y: f16, %o: f16):
    %xh = arith.truncf %x : f32 to f16
    %p = arith.mulf %xh, %y : f16
    linalg.yield %p : f16
  } -> tensor<4x8xf16>
  %eb = tensor.empty() : tensor<4x8xbf16>
  %bh = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %g : tensor<4x8xf32>, tensor<4x8xbf16>) outs(%eb : tensor<4x8xbf16>) {
  ^bb0(%x: f32, %y: bf16, %o: bf16):
    %xb = arith.truncf %x : f32 to bf16
    %p = arith.addf %xb, %y : bf16
    linalg.yield %p : bf16
  } -> tensor<4x8xbf16>
  %ei = tensor.empty() : tensor<4x8xi1>
  %pos = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%ei : tensor<4x8xi1>) {
  ^bb0(%x: f32, %o: i1):
    %c = arith.cmpf ogt, %x, %zero : f32
    linalg.yield %c : i1
  } -> tensor<4x8xi1>
  // Concatenation: insert_slice into strided views, the copies that would
  // otherwise call memrefCopy.
  %ec = tensor.empty() : tensor<4x16xf32>
  %c0 = tensor.insert_slice %a into %ec[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x16xf32>
  %cat = tensor.insert_slice %ew into %c0[0, 8] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x16xf32>
  return %mm, %ew, %half, %bh, %pos, %cat
      : tensor<4x4xf32>, tensor<4x8xf32>, tensor<4x8xf16>, tensor<4x8xbf16>,
        tensor<4x8xi1>, tensor<4x16xf32>
}
)mlir";

TEST_F(CPUArtifactTest, MetadataJSON) {
  OwningOpRef<ModuleOp> module = parse(kModelSource);
  ASSERT_TRUE(module);
  FailureOr<ds::ArtifactMetadata> metadata =
      ds::buildArtifactMetadata(module->lookupSymbol<func::FuncOp>("main"));
  ASSERT_TRUE(succeeded(metadata));
  std::string json = metadata->toJSON();
  EXPECT_NE(json.find(R"({"name":"h","dtype":"float16","shape":[4,8]})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"name":"pos","dtype":"bool","shape":[4,8]})"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.rfind(R"({"version":2,"inputs":[)", 0), 0u) << json;
}

TEST_F(CPUArtifactTest, DTypeNames) {
  Builder b(&context);
  EXPECT_EQ(ds::getDTypeName(b.getIntegerType(8, /*isSigned=*/false)),
            "uint8");
  EXPECT_EQ(ds::getDTypeName(b.getIntegerType(8)), "int8");
  EXPECT_EQ(ds::getDTypeName(b.getI1Type()), "bool");
  EXPECT_EQ(ds::getDTypeName(b.getIntegerType(16, false)), "uint16");
  EXPECT_EQ(ds::getDTypeName(b.getI64Type()), "int64");
  EXPECT_EQ(ds::getDTypeName(b.getBF16Type()), "bfloat16");
  EXPECT_EQ(ds::getDTypeName(b.getF64Type()), "float64");
  EXPECT_EQ(ds::getDTypeName(b.getIntegerType(4)), "");
  EXPECT_EQ(ds::getDTypeName(b.getIndexType()), "");
}

TEST_F(CPUArtifactTest, RejectsUnsupportedSignatures) {
  const char *complexArg = R"mlir(
    func.func @main(%x: tensor<2xcomplex<f32>>) -> tensor<2xcomplex<f32>> {
      return %x : tensor<2xcomplex<f32>>
    })mlir";
  EXPECT_TRUE(failed(compile(complexArg, "complex.so")));
  EXPECT_NE(diagnostics.find("has no dtype in the artifact ABI"),
            std::string::npos)
      << diagnostics;
}

// A dynamic result makes a version 3 artifact: the returned input comes back
// as a buffer the caller owns (a copy, not the input's memory).
TEST_F(CPUArtifactTest, ReturnsADynamicInputAsAnOwnedCopy) {
  const char *dynamicResult = R"mlir(
    func.func @main(%x: tensor<?xf32> {ds.name = "x"}) -> (tensor<?xf32> {ds.name = "y"}) {
      return %x : tensor<?xf32>
    })mlir";
  std::string path = tempPath("dynamic.so");
  ASSERT_TRUE(succeeded(compile(dynamicResult, "dynamic.so"))) << diagnostics;
  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(path.c_str(), &handle.module), DSRT_OK)
      << dsrt_last_error();
  std::vector<float> x = {1, 2, 3};
  std::vector<int64_t> shape = {3};
  dsrt_tensor in{x.data(), DSRT_F32, 1, shape.data()};
  dsrt_tensor out;
  ASSERT_EQ(dsrt_module_run_alloc(handle.module, &in, 1, &out, 1), DSRT_OK)
      << dsrt_last_error();
  ASSERT_EQ(out.shape[0], 3);
  EXPECT_NE(out.data, static_cast<void *>(x.data()));
  const float *y = static_cast<const float *>(out.data);
  EXPECT_EQ(std::vector<float>(y, y + 3), x);
  dsrt_tensor_free(&out);
}

TEST_F(CPUArtifactTest, CompilesAndRuns) {
  std::string path = tempPath("model.so");
  ASSERT_TRUE(succeeded(compile(kModelSource, "model.so"))) << diagnostics;

  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(path.c_str(), &handle.module), DSRT_OK)
      << dsrt_last_error();
  ASSERT_EQ(dsrt_module_num_inputs(handle.module), 4);
  ASSERT_EQ(dsrt_module_num_outputs(handle.module), 6);
  dsrt_tensor_info info;
  ASSERT_EQ(dsrt_module_output_info(handle.module, 3, &info), DSRT_OK);
  EXPECT_STREQ(info.name, "bh");
  EXPECT_EQ(info.dtype, DSRT_BF16);

  std::vector<float> a(32), b(32);
  std::vector<uint16_t> h(32), g(32);
  for (int i = 0; i < 32; ++i) {
    a[i] = 0.37f * float(i % 11) - 1.5f;
    b[i] = 0.25f * float(i % 7) - 0.5f;
    h[i] = toF16(0.125f * float(i % 9) - 0.5f);
    g[i] = toBF16(0.75f * float(i % 5) - 1.0f);
  }
  std::vector<float> mm(16, NAN), ew(32, NAN), cat(64, NAN);
  std::vector<uint16_t> half(32, 0xffff), bh(32, 0xffff);
  std::vector<uint8_t> pos(32, 7);
  std::vector<int64_t> s48 = {4, 8}, s84 = {8, 4}, s44 = {4, 4},
                       s416 = {4, 16};
  dsrt_tensor inputs[] = {tensor(a, s48, DSRT_F32), tensor(b, s84, DSRT_F32),
                          tensor(h, s48, DSRT_F16), tensor(g, s48, DSRT_BF16)};
  dsrt_tensor outputs[] = {
      tensor(mm, s44, DSRT_F32),    tensor(ew, s48, DSRT_F32),
      tensor(half, s48, DSRT_F16),  tensor(bh, s48, DSRT_BF16),
      tensor(pos, s48, DSRT_BOOL),  tensor(cat, s416, DSRT_F32)};
  ASSERT_EQ(dsrt_module_run(handle.module, inputs, 4, outputs, 6), DSRT_OK)
      << dsrt_last_error();

  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      float expected = 0;
      for (int k = 0; k < 8; ++k)
        expected += a[i * 8 + k] * b[k * 4 + j];
      expectClose(expected, mm[i * 4 + j], 1e-5f, 1e-5f, "mm");
    }
  for (int i = 0; i < 32; ++i) {
    std::string at = "[" + std::to_string(i) + "]";
    float ref = std::exp(a[i]) + std::erf(a[i]) + fromF16(h[i]);
    expectClose(ref, ew[i], 1e-6f, 1e-6f, "ew" + at);
    EXPECT_EQ(half[i], toF16(fromF16(toF16(a[i])) * fromF16(h[i])))
        << "half" << at;
    EXPECT_EQ(bh[i], toBF16(fromBF16(toBF16(a[i])) + fromBF16(g[i])))
        << "bh" << at;
    EXPECT_EQ(pos[i], a[i] > 0 ? 1 : 0) << "pos" << at;
    EXPECT_EQ(cat[(i / 8) * 16 + i % 8], a[i]) << "cat" << at;
    EXPECT_EQ(cat[(i / 8) * 16 + 8 + i % 8], ew[i]) << "cat" << at;
  }
}

TEST_F(CPUArtifactTest, DynamicInputDimension) {
  const char *source = R"mlir(
    func.func @main(%x: tensor<?x8xf32> {ds.name = "x"}) -> (tensor<8xf32> {ds.name = "sum"}) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<8xf32>
      %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
      %s = linalg.reduce ins(%x : tensor<?x8xf32>) outs(%init : tensor<8xf32>) dimensions = [0]
        (%in: f32, %acc: f32) {
          %r = arith.addf %in, %acc : f32
          linalg.yield %r : f32
        }
      return %s : tensor<8xf32>
    })mlir";
  std::string path = tempPath("sum.so");
  ASSERT_TRUE(succeeded(compile(source, "sum.so"))) << diagnostics;
  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(path.c_str(), &handle.module), DSRT_OK)
      << dsrt_last_error();
  for (int64_t rows : {0, 1, 3, 100}) {
    std::vector<float> x(rows * 8), sum(8, NAN);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = float(i % 8) + 1;
    std::vector<int64_t> sx = {rows, 8}, ss = {8};
    dsrt_tensor in = tensor(x, sx, DSRT_F32), out = tensor(sum, ss, DSRT_F32);
    if (rows == 0)
      in.data = nullptr; // Allowed for empty tensors.
    ASSERT_EQ(dsrt_module_run(handle.module, &in, 1, &out, 1), DSRT_OK)
        << dsrt_last_error();
    for (int j = 0; j < 8; ++j)
      EXPECT_EQ(sum[j], float(rows * (j + 1))) << "rows=" << rows;
  }
}

TEST_F(CPUArtifactTest, OutputIsDeterministic) {
  ASSERT_TRUE(succeeded(compile(kModelSource, "first.so"))) << diagnostics;
  ASSERT_TRUE(succeeded(compile(kModelSource, "second.so"))) << diagnostics;
  auto first = llvm::MemoryBuffer::getFile(tempPath("first.so"));
  auto second = llvm::MemoryBuffer::getFile(tempPath("second.so"));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE((*first)->getBuffer() == (*second)->getBuffer());
}

TEST_F(CPUArtifactTest, CompileAPI) {
  OwningOpRef<ModuleOp> module = parse(kModelSource);
  ASSERT_TRUE(module);
  std::vector<std::string> stages;
  ds::CompileOptions options;
  options.afterStage = [&](StringRef stage, ModuleOp) {
    stages.push_back(stage.str());
  };
  ds::CompileStatus status =
      ds::compileModel(*module, options, tempPath("api.so"));
  ASSERT_EQ(status, ds::CompileStatus::Success) << diagnostics;
  EXPECT_EQ(stages, (std::vector<std::string>{"graph", "linalg", "llvm"}));
  EXPECT_TRUE(llvm::sys::fs::exists(tempPath("api.so")));
  EXPECT_EQ(ds::getExitCode(ds::CompileStatus::Unsupported), 3);
  EXPECT_EQ(ds::getExitCode(ds::CompileStatus::Invalid), 1);
}

TEST_F(CPUArtifactTest, LoadModelReportsInvalidFiles) {
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &) {});
  OwningOpRef<ModuleOp> module;
  std::string path = tempPath("broken.mlir");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << "func.func @main( {";
  }
  EXPECT_EQ(ds::loadModel(path, context, module), ds::CompileStatus::Invalid);
  EXPECT_EQ(ds::loadModel(tempPath("missing.mlir"), context, module),
            ds::CompileStatus::Invalid);
}

} // namespace
