//===- CAPITest.cpp - The C embedding API (ds-c/ds.h) with dsrt ----------===//
#include "ds-c/ds.h"
#include "dsrt/dsrt.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
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

void expectAdds(dsrt_module *m) {
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(dsrt_module_num_inputs(m), 2);
  ASSERT_EQ(dsrt_module_num_outputs(m), 1);
  float x[6] = {0, 1, 2, 3, 4, 5}, y[6] = {10, 10, 10, 10, 10, 10}, z[6];
  int64_t shape[2] = {2, 3};
  dsrt_tensor in[2] = {{x, DSRT_F32, 2, shape}, {y, DSRT_F32, 2, shape}};
  dsrt_tensor out[1] = {{z, DSRT_F32, 2, shape}};
  ASSERT_EQ(dsrt_module_run(m, in, 2, out, 1), DSRT_OK) << dsrt_last_error();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(z[i], 10.0f + i);
  dsrt_module_free(m);
}

struct CAPI : testing::Test {
  void SetUp() override { ASSERT_EQ(ds_compiler_create(&compiler), DS_OK); }
  void TearDown() override {
    ds_artifact_destroy(artifact);
    ds_error_destroy(error);
    ds_compiler_destroy(compiler);
  }
  ds_compiler *compiler = nullptr;
  ds_artifact *artifact = nullptr;
  ds_error *error = nullptr;
};

TEST_F(CAPI, CompilesONNXBytesAndRunsFromMemory) {
  std::string model = readFile(input("add.onnx"));
  ASSERT_EQ(ds_compile_onnx(compiler, model.data(), model.size(), "add.onnx",
                            nullptr, &artifact, &error),
            DS_OK)
      << ds_error_message(error);
  EXPECT_EQ(error, nullptr);
  ASSERT_GT(ds_artifact_size(artifact), 4u);
  EXPECT_EQ(std::memcmp(ds_artifact_data(artifact), "\x7f" "ELF", 4), 0);
  dsrt_module *m = nullptr;
  ASSERT_EQ(dsrt_module_load_memory(ds_artifact_data(artifact),
                                    ds_artifact_size(artifact), &m),
            DSRT_OK)
      << dsrt_last_error();
  expectAdds(m);
}

TEST_F(CAPI, CompilesFileAndWritesArtifact) {
  ASSERT_EQ(ds_compile_file(compiler, input("add.mlir").c_str(), nullptr,
                            &artifact, &error),
            DS_OK)
      << ds_error_message(error);
  std::string out = testing::TempDir() + "ds-capi-test-" +
                    std::to_string(getpid()) + ".so";
  ASSERT_EQ(ds_artifact_write(artifact, out.c_str(), &error), DS_OK);
  dsrt_module *m = nullptr;
  ASSERT_EQ(dsrt_module_load(out.c_str(), &m), DSRT_OK) << dsrt_last_error();
  expectAdds(m);
  std::remove(out.c_str());
}

TEST_F(CAPI, MalformedONNXReturnsAnError) {
  const char junk[] = "\x08\x01\x12\x03not-a-model";
  EXPECT_EQ(ds_compile_onnx(compiler, junk, sizeof(junk) - 1, "junk.onnx",
                            nullptr, &artifact, &error),
            DS_INVALID);
  EXPECT_EQ(artifact, nullptr);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(ds_error_status(error), DS_INVALID);
  ASSERT_GE(ds_error_num_diagnostics(error), 1u);
  EXPECT_EQ(ds_error_diagnostic_severity(error, 0), DS_SEVERITY_ERROR);
  EXPECT_STRNE(ds_error_message(error), "");
  // Out of range is harmless.
  EXPECT_STREQ(ds_error_diagnostic_message(error, 1000), "");
}

TEST_F(CAPI, BadMLIRAndBadONNXOpHaveLocations) {
  const char text[] = "func.func @main() {\n  dsg.oops\n}\n";
  EXPECT_EQ(ds_compile_mlir(compiler, text, sizeof(text) - 1, "bad.mlir",
                            nullptr, &artifact, &error),
            DS_INVALID);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(std::string(ds_error_diagnostic_location(error, 0))
                .rfind("bad.mlir:2:", 0),
            0u)
      << ds_error_diagnostic_location(error, 0);
  ds_error_destroy(error);
  error = nullptr;

  std::string model = readFile(input("unsupported/model.onnx"));
  EXPECT_EQ(ds_compile_onnx(compiler, model.data(), model.size(), "random.onnx",
                            nullptr, &artifact, &error),
            DS_UNSUPPORTED);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(ds_error_diagnostic_location(error, 0), 
                           "random.onnx: 'RandomUniformLike_0'");
  EXPECT_NE(std::string(ds_error_message(error)).find("RandomUniformLike_0"),
            std::string::npos);
}

TEST_F(CAPI, OptionsAndUnsupportedTarget) {
  ds_options *options = nullptr;
  ASSERT_EQ(ds_options_create(&options), DS_OK);
  EXPECT_EQ(ds_options_set_opt_level(options, 9), DS_INVALID_ARGUMENT);
  EXPECT_EQ(ds_options_set_opt_level(options, 1), DS_OK);
  EXPECT_EQ(ds_options_set_target(options, "gpu"), DS_OK);
  std::string text = readFile(input("add.mlir"));
  EXPECT_EQ(ds_compile_mlir(compiler, text.data(), text.size(), nullptr,
                            options, &artifact, &error),
            DS_UNSUPPORTED);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(ds_error_message(error)).find("'gpu'"),
            std::string::npos);
  ds_error_destroy(error);
  error = nullptr;
  EXPECT_EQ(ds_options_set_target(options, "cpu"), DS_OK);
  EXPECT_EQ(ds_compile_mlir(compiler, text.data(), text.size(), nullptr,
                            options, &artifact, &error),
            DS_OK);
  ds_options_destroy(options);
}

TEST_F(CAPI, NullArgumentsAreErrors) {
  EXPECT_EQ(ds_compiler_create(nullptr), DS_INVALID_ARGUMENT);
  EXPECT_EQ(ds_compile_file(nullptr, "x.onnx", nullptr, &artifact, &error),
            DS_INVALID_ARGUMENT);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(ds_error_status(error), DS_INVALID_ARGUMENT);
  ds_error_destroy(error);
  error = nullptr;
  EXPECT_EQ(ds_compile_file(compiler, nullptr, nullptr, &artifact, nullptr),
            DS_INVALID_ARGUMENT);
  EXPECT_EQ(ds_compile_onnx(compiler, nullptr, 10, nullptr, nullptr, &artifact,
                            nullptr),
            DS_INVALID_ARGUMENT);
  EXPECT_EQ(ds_artifact_size(nullptr), 0u);
  EXPECT_STREQ(ds_error_message(nullptr), "");
  EXPECT_STREQ(ds_version(), "0.1.0");
  EXPECT_STREQ(ds_status_string(DS_UNSUPPORTED), "unsupported");
}

} // namespace
