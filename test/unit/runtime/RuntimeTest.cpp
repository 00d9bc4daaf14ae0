//===- RuntimeTest.cpp - dsrt against hand-written artifacts -------------===//
#include "dsrt/dsrt.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string fixture(const char *name) {
  return std::string(DS_FIXTURE_DIR) + "/" + name + ".so";
}

/// Owns a loaded module for the duration of a test.
struct ModuleHandle {
  dsrt_module *module = nullptr;
  ~ModuleHandle() { dsrt_module_free(module); }
};

dsrt_tensor makeTensor(std::vector<float> &data,
                       const std::vector<int64_t> &shape,
                       dsrt_dtype dtype = DSRT_F32) {
  return dsrt_tensor{data.data(), dtype, static_cast<int32_t>(shape.size()),
                     shape.data()};
}

TEST(RuntimeDType, NamesAndSizes) {
  EXPECT_STREQ(dsrt_dtype_name(DSRT_F32), "float32");
  EXPECT_STREQ(dsrt_dtype_name(DSRT_BF16), "bfloat16");
  EXPECT_STREQ(dsrt_dtype_name(DSRT_BOOL), "bool");
  EXPECT_EQ(dsrt_dtype_size(DSRT_F64), 8u);
  EXPECT_EQ(dsrt_dtype_size(DSRT_U16), 2u);
  EXPECT_EQ(dsrt_dtype_size(DSRT_BOOL), 1u);
  EXPECT_EQ(dsrt_dtype_size(DSRT_DTYPE_INVALID), 0u);
  EXPECT_EQ(dsrt_dtype_size(static_cast<dsrt_dtype>(42)), 0u);
}

TEST(RuntimeLoad, MissingFile) {
  dsrt_module *module = reinterpret_cast<dsrt_module *>(0x1);
  EXPECT_EQ(dsrt_module_load("/nonexistent/model.so", &module), DSRT_IO_ERROR);
  EXPECT_EQ(module, nullptr);
  EXPECT_NE(std::string(dsrt_last_error()).find("/nonexistent/model.so"),
            std::string::npos);
}

TEST(RuntimeLoad, NullArguments) {
  dsrt_module *module = nullptr;
  EXPECT_EQ(dsrt_module_load(nullptr, &module), DSRT_INVALID_ARGUMENT);
  EXPECT_EQ(dsrt_module_load("x.so", nullptr), DSRT_INVALID_ARGUMENT);
  EXPECT_EQ(dsrt_module_num_inputs(nullptr), -1);
  dsrt_module_free(nullptr); // Must be a no-op.
}

struct BadArtifact {
  const char *name;
  const char *message;
};

class RuntimeBadArtifact : public testing::TestWithParam<BadArtifact> {};

TEST_P(RuntimeBadArtifact, IsRejectedWithAMessage) {
  ModuleHandle handle;
  EXPECT_EQ(dsrt_module_load(fixture(GetParam().name).c_str(), &handle.module),
            DSRT_BAD_ARTIFACT);
  EXPECT_EQ(handle.module, nullptr);
  std::string error = dsrt_last_error();
  EXPECT_NE(error.find(GetParam().message), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Runtime, RuntimeBadArtifact,
    testing::Values(BadArtifact{"missing_entry", "does not export ds_entry"},
                    BadArtifact{"missing_metadata",
                                "does not export ds_metadata"},
                    BadArtifact{"bad_json", "not valid JSON"},
                    BadArtifact{"bad_dtype", "unknown dtype 'complex64'"},
                    BadArtifact{"bad_version", "unsupported version 7"},
                    BadArtifact{"bad_ranks",
                                "'ranks' must be a positive integer"}),
    [](const testing::TestParamInfo<BadArtifact> &info) {
      return std::string(info.param.name);
    });

class RuntimeAxpy : public testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(dsrt_module_load(fixture("axpy").c_str(), &handle.module),
              DSRT_OK)
        << dsrt_last_error();
  }
  dsrt_status run() {
    dsrt_tensor inputs[] = {makeTensor(a, shapeA), makeTensor(alpha, {}),
                            makeTensor(b, shapeB)};
    inputs[1].shape = nullptr; // Rank 0 needs no shape array.
    dsrt_tensor outputs[] = {makeTensor(c, shapeC)};
    return dsrt_module_run(handle.module, inputs, 3, outputs, 1);
  }

  ModuleHandle handle;
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  std::vector<float> alpha = {10};
  std::vector<float> b = {1, 1, 1, 2, 2, 2};
  std::vector<float> c = std::vector<float>(6, -1);
  std::vector<int64_t> shapeA = {2, 3}, shapeB = {2, 3}, shapeC = {2, 3};
};

TEST_F(RuntimeAxpy, Info) {
  ASSERT_EQ(dsrt_module_num_inputs(handle.module), 3);
  ASSERT_EQ(dsrt_module_num_outputs(handle.module), 1);
  dsrt_tensor_info info;
  ASSERT_EQ(dsrt_module_input_info(handle.module, 1, &info), DSRT_OK);
  EXPECT_STREQ(info.name, "alpha");
  EXPECT_EQ(info.dtype, DSRT_F32);
  EXPECT_EQ(info.rank, 0);
  ASSERT_EQ(dsrt_module_output_info(handle.module, 0, &info), DSRT_OK);
  EXPECT_STREQ(info.name, "c");
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 3);
  EXPECT_EQ(dsrt_module_input_info(handle.module, 3, &info),
            DSRT_INVALID_ARGUMENT);
  EXPECT_EQ(dsrt_module_output_info(handle.module, -1, &info),
            DSRT_INVALID_ARGUMENT);
}

TEST_F(RuntimeAxpy, Runs) {
  ASSERT_EQ(run(), DSRT_OK) << dsrt_last_error();
  EXPECT_EQ(c, (std::vector<float>{11, 12, 13, 24, 25, 26}));
}

TEST_F(RuntimeAxpy, RejectsWrongDType) {
  dsrt_tensor inputs[] = {makeTensor(a, shapeA, DSRT_F16),
                          makeTensor(alpha, {}), makeTensor(b, shapeB)};
  dsrt_tensor outputs[] = {makeTensor(c, shapeC)};
  EXPECT_EQ(dsrt_module_run(handle.module, inputs, 3, outputs, 1),
            DSRT_INVALID_ARGUMENT);
  EXPECT_STREQ(dsrt_last_error(),
               "input 'a': expected dtype float32, found float16");
}

TEST_F(RuntimeAxpy, RejectsWrongRank) {
  shapeB = {6};
  EXPECT_EQ(run(), DSRT_INVALID_ARGUMENT);
  EXPECT_STREQ(dsrt_last_error(), "input 'b': expected rank 2, found 1");
}

TEST_F(RuntimeAxpy, RejectsWrongShape) {
  shapeC = {3, 2};
  EXPECT_EQ(run(), DSRT_INVALID_ARGUMENT);
  EXPECT_STREQ(dsrt_last_error(), "output 'c': expected shape [2, 3], found "
                                  "[3, 2] (dimension 0 differs)");
  EXPECT_EQ(c, std::vector<float>(6, -1)) << "must not run on bad input";
}

TEST_F(RuntimeAxpy, RejectsWrongCounts) {
  dsrt_tensor inputs[] = {makeTensor(a, shapeA)};
  dsrt_tensor outputs[] = {makeTensor(c, shapeC)};
  EXPECT_EQ(dsrt_module_run(handle.module, inputs, 1, outputs, 1),
            DSRT_INVALID_ARGUMENT);
  EXPECT_STREQ(dsrt_last_error(), "expected 3 inputs, found 1");
}

TEST_F(RuntimeAxpy, RejectsNullData) {
  dsrt_tensor inputs[] = {makeTensor(a, shapeA), makeTensor(alpha, {}),
                          makeTensor(b, shapeB)};
  inputs[2].data = nullptr;
  dsrt_tensor outputs[] = {makeTensor(c, shapeC)};
  EXPECT_EQ(dsrt_module_run(handle.module, inputs, 3, outputs, 1),
            DSRT_INVALID_ARGUMENT);
  EXPECT_STREQ(dsrt_last_error(), "input 'b': null data pointer");
}

/// The protection of the mapping that holds `address`, from /proc/self/maps
/// (PROT_NONE where no mapping holds it); -1 when the file cannot be read.
int protectionAt(uintptr_t address) {
  std::ifstream maps("/proc/self/maps");
  if (!maps)
    return -1;
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::string perms;
    fields >> std::hex >> begin >> dash >> end >> perms;
    if (address < begin || address >= end || perms.size() < 3)
      continue;
    return (perms[0] == 'r' ? PROT_READ : 0) |
           (perms[1] == 'w' ? PROT_WRITE : 0) |
           (perms[2] == 'x' ? PROT_EXEC : 0);
  }
  return PROT_NONE;
}

// Regression: ds_entry is called without reading the memory before it.
// UBSan's function-type check reads 8 bytes before an indirect callee for a
// signature; artifacts have none, and ds-opt's calibration runner SEGVed in
// the sanitizer build on an artifact whose ds_entry began its text segment
// right after an unmapped page (docs/reliability.md). The fixture's ds_entry
// starts a page, and the test makes the page before it unreadable; in the
// sanitizer build this run crashed before the fix in runtime/lib/Module.cpp.
TEST(RuntimeEntryCall, DoesNotReadBeforeTheEntryPoint) {
  std::string path = fixture("axpy_page_entry");
  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(path.c_str(), &handle.module), DSRT_OK)
      << dsrt_last_error();
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(library, nullptr) << "the runtime loaded " << path;
  auto entry = reinterpret_cast<uintptr_t>(dlsym(library, "ds_entry"));
  dlclose(library); // Drops this test's reference only.
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  ASSERT_NE(entry, 0u);
  ASSERT_EQ(entry % page, 0u) << "the fixture's ds_entry must start a page";
  uintptr_t before = entry - page;
  int protection = protectionAt(before);
  ASSERT_GE(protection, 0) << "cannot read /proc/self/maps";
  ASSERT_EQ(mprotect(reinterpret_cast<void *>(before), page, PROT_NONE), 0);

  std::vector<float> a = {1, 2, 3, 4, 5, 6}, alpha = {10},
                     b = {1, 1, 1, 2, 2, 2}, c(6, -1);
  std::vector<int64_t> shape = {2, 3};
  dsrt_tensor inputs[] = {makeTensor(a, shape), makeTensor(alpha, {}),
                          makeTensor(b, shape)};
  inputs[1].shape = nullptr;
  dsrt_tensor outputs[] = {makeTensor(c, shape)};
  dsrt_status status = dsrt_module_run(handle.module, inputs, 3, outputs, 1);

  EXPECT_EQ(mprotect(reinterpret_cast<void *>(before), page, protection), 0);
  ASSERT_EQ(status, DSRT_OK) << dsrt_last_error();
  EXPECT_EQ(c, (std::vector<float>{11, 12, 13, 24, 25, 26}));
}

TEST(RuntimeSum, DynamicDimension) {
  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(fixture("sum").c_str(), &handle.module), DSRT_OK)
      << dsrt_last_error();
  dsrt_tensor_info info;
  ASSERT_EQ(dsrt_module_input_info(handle.module, 0, &info), DSRT_OK);
  EXPECT_EQ(info.shape[0], -1);

  for (int64_t n : {0, 1, 5, 1000}) {
    std::vector<float> x(n, 0.5f), y = {-1};
    std::vector<int64_t> shapeX = {n}, shapeY = {1};
    dsrt_tensor input = makeTensor(x, shapeX);
    dsrt_tensor output = makeTensor(y, shapeY);
    ASSERT_EQ(dsrt_module_run(handle.module, &input, 1, &output, 1), DSRT_OK)
        << dsrt_last_error();
    EXPECT_EQ(y[0], 0.5f * n);
  }
}

TEST(RuntimeError, IsThreadLocal) {
  dsrt_module *module = nullptr;
  EXPECT_NE(dsrt_module_load("/nonexistent.so", &module), DSRT_OK);
  std::string other;
  std::thread([&] { other = dsrt_last_error(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_NE(std::string(dsrt_last_error()), "");
}

} // namespace

//===----------------------------------------------------------------------===//
// Version 2: ds_entry returns a status (a failing collective).
//===----------------------------------------------------------------------===//

namespace {
dsrt_status runStatusFixture(const char *name, float &y) {
  ModuleHandle handle;
  if (dsrt_module_load(fixture(name).c_str(), &handle.module) != DSRT_OK)
    return DSRT_BAD_ARTIFACT;
  int64_t shape[] = {1};
  dsrt_tensor output = {&y, DSRT_F32, 1, shape};
  return dsrt_module_run(handle.module, nullptr, 0, &output, 1);
}
} // namespace

TEST(RuntimeEntryStatus, ZeroIsSuccess) {
  float y = 0;
  EXPECT_EQ(runStatusFixture("status_ok", y), DSRT_OK) << dsrt_last_error();
  EXPECT_EQ(y, 42);
}

TEST(RuntimeEntryStatus, NonZeroIsAnError) {
  float y = 0;
  EXPECT_EQ(runStatusFixture("status_failed", y), DSRT_INTERNAL);
  std::string error = dsrt_last_error();
  EXPECT_NE(error.find("a collective failed while running the model "
                       "(status 5)"),
            std::string::npos)
      << error;
}

TEST(RuntimeEntryStatus, WorldSizeMismatchNamesTheRankCount) {
  float y = 0;
  EXPECT_EQ(runStatusFixture("status_world", y), DSRT_INTERNAL);
  std::string error = dsrt_last_error();
  EXPECT_NE(error.find("partitioned for 4 ranks"), std::string::npos) << error;
  EXPECT_NE(error.find("mpirun -np 4"), std::string::npos) << error;
}

// Version 3: the artifact allocates its outputs (data-dependent sizes).
class RuntimeCalleeAllocated : public testing::Test {
protected:
  void load(const char *name) {
    ASSERT_EQ(dsrt_module_load(fixture(name).c_str(), &handle.module), DSRT_OK)
        << dsrt_last_error();
  }
  ModuleHandle handle;
  std::vector<float> x = {1, -2, 3, 0, 5};
  std::vector<int64_t> shapeX = {5};
};

TEST_F(RuntimeCalleeAllocated, InfoReportsDynamicOutput) {
  load("positive");
  dsrt_tensor_info info;
  ASSERT_EQ(dsrt_module_output_info(handle.module, 0, &info), DSRT_OK);
  ASSERT_EQ(info.rank, 1);
  EXPECT_EQ(info.shape[0], -1);
}

TEST_F(RuntimeCalleeAllocated, RunAllocReturnsOwnedOutputs) {
  load("positive");
  dsrt_tensor in = makeTensor(x, shapeX);
  dsrt_tensor out[2];
  ASSERT_EQ(dsrt_module_run_alloc(handle.module, &in, 1, out, 2), DSRT_OK)
      << dsrt_last_error();
  ASSERT_EQ(out[0].rank, 1);
  EXPECT_EQ(out[0].dtype, DSRT_F32);
  ASSERT_EQ(out[0].shape[0], 3);
  const float *y = static_cast<const float *>(out[0].data);
  EXPECT_EQ(std::vector<float>(y, y + 3), (std::vector<float>{1, 3, 5}));
  ASSERT_EQ(out[1].shape[0], 1);
  EXPECT_EQ(*static_cast<const float *>(out[1].data), 3.0f);
  // The outputs outlive the module.
  dsrt_module_free(handle.module);
  handle.module = nullptr;
  dsrt_tensor_free(&out[0]);
  dsrt_tensor_free(&out[1]);
  EXPECT_EQ(out[0].data, nullptr);
  EXPECT_EQ(out[0].shape, nullptr);
  dsrt_tensor_free(&out[0]); // Freed tensors are NULL: a no-op.
}

TEST_F(RuntimeCalleeAllocated, RunAllocOnAnEmptyResult) {
  load("positive");
  std::vector<float> negative = {-1, -2};
  std::vector<int64_t> shape = {2};
  dsrt_tensor in = makeTensor(negative, shape);
  dsrt_tensor out[2];
  ASSERT_EQ(dsrt_module_run_alloc(handle.module, &in, 1, out, 2), DSRT_OK)
      << dsrt_last_error();
  EXPECT_EQ(out[0].shape[0], 0);
  EXPECT_EQ(*static_cast<const float *>(out[1].data), 0.0f);
  dsrt_tensor_free(&out[0]);
  dsrt_tensor_free(&out[1]);
}

TEST_F(RuntimeCalleeAllocated, RunCopiesIntoCallerBuffersOfTheRightShape) {
  load("positive");
  dsrt_tensor in = makeTensor(x, shapeX);
  std::vector<float> y(3, -1), count(1, -1);
  std::vector<int64_t> shapeY = {3}, shapeCount = {1};
  dsrt_tensor out[] = {makeTensor(y, shapeY), makeTensor(count, shapeCount)};
  ASSERT_EQ(dsrt_module_run(handle.module, &in, 1, out, 2), DSRT_OK)
      << dsrt_last_error();
  EXPECT_EQ(y, (std::vector<float>{1, 3, 5}));
  EXPECT_EQ(count[0], 3.0f);
}

TEST_F(RuntimeCalleeAllocated, RunRejectsCallerBuffersOfAnotherShape) {
  load("positive");
  dsrt_tensor in = makeTensor(x, shapeX);
  std::vector<float> y(4, -1), count(1, -1);
  std::vector<int64_t> shapeY = {4}, shapeCount = {1};
  dsrt_tensor out[] = {makeTensor(y, shapeY), makeTensor(count, shapeCount)};
  EXPECT_EQ(dsrt_module_run(handle.module, &in, 1, out, 2),
            DSRT_INVALID_ARGUMENT);
  std::string error = dsrt_last_error();
  EXPECT_NE(error.find("output 'y': the run produced shape [3], the caller's "
                       "buffer has [4]"),
            std::string::npos)
      << error;
  EXPECT_EQ(y, std::vector<float>(4, -1));
}

TEST_F(RuntimeCalleeAllocated, RejectsANonDenseOutput) {
  load("positive_strided");
  dsrt_tensor in = makeTensor(x, shapeX);
  dsrt_tensor out[2];
  EXPECT_EQ(dsrt_module_run_alloc(handle.module, &in, 1, out, 2),
            DSRT_INTERNAL);
  EXPECT_NE(std::string(dsrt_last_error()).find("not dense row-major"),
            std::string::npos)
      << dsrt_last_error();
  EXPECT_EQ(out[0].data, nullptr);
  EXPECT_EQ(out[0].shape, nullptr);
}

TEST(RuntimeRunAlloc, WorksForCallerAllocatedArtifacts) {
  ModuleHandle handle;
  ASSERT_EQ(dsrt_module_load(fixture("sum").c_str(), &handle.module), DSRT_OK);
  std::vector<float> x = {1, 2, 3.5};
  std::vector<int64_t> shape = {3};
  dsrt_tensor in = makeTensor(x, shape);
  dsrt_tensor out;
  ASSERT_EQ(dsrt_module_run_alloc(handle.module, &in, 1, &out, 1), DSRT_OK)
      << dsrt_last_error();
  ASSERT_EQ(out.rank, 1);
  EXPECT_EQ(out.shape[0], 1);
  EXPECT_EQ(*static_cast<const float *>(out.data), 6.5f);
  dsrt_tensor_free(&out);
}
