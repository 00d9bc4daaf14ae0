//===- FakeCudaUtil.h - Tests against the fake CUDA driver -----*- C++ -*-===//
//
// The GoogleTests that run compiled CUDA artifacts without a GPU point the
// runtime at test/unit/gpu/fake_cuda.c (built as fixtures/libcuda-fake.so),
// which records what the runtime asked of it in counters.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TEST_UNIT_GPU_FAKECUDAUTIL_H
#define DS_TEST_UNIT_GPU_FAKECUDAUTIL_H

#include "ds/ds.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <dlfcn.h>

namespace dsrt::test {

/// The fake driver library.
inline const char *fakeCudaDriver() {
  return DS_FIXTURE_DIR "/libcuda-fake.so";
}

/// The fake driver's counter `name` (fake_cuda_launches, fake_cuda_allocs,
/// ...): -1 when the driver is not loaded or has no such counter.
inline int fakeCudaCounter(const char *name) {
  void *h = dlopen(fakeCudaDriver(), RTLD_NOW | RTLD_NOLOAD);
  if (!h)
    return -1;
  auto count = reinterpret_cast<int (*)()>(dlsym(h, name));
  int n = count ? count() : -1;
  dlclose(h);
  return n;
}

/// `mlir` compiled for CUDA sm_80 (a test failure when it does not
/// compile), with DSRT_CUDA_LIBRARY pointing the runtime at the fake driver
/// for the artifact's load.
inline ::ds::CompileResult compileForFakeCuda(const char *mlir) {
  ::ds::Compiler compiler;
  ::ds::CompileOptions options;
  options.target = "cuda";
  options.chip = "sm_80";
  ::ds::CompileResult r = compiler.compileMLIR(mlir, options);
  EXPECT_TRUE(r.ok()) << r.message();
  setenv("DSRT_CUDA_LIBRARY", fakeCudaDriver(), 1);
  return r;
}

} // namespace dsrt::test

#endif // DS_TEST_UNIT_GPU_FAKECUDAUTIL_H
