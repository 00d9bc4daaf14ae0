//===- KernelTestUtil.h - shared helpers of the runtime kernel tests ------===//
//
// Random inputs, the switches that force the portable kernels or a
// convolution path, and the skip of AVX-512 runs on CPUs without it, used by
// the convolution, depthwise and pooling kernel tests.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H
#define DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H

#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace dsrt::test {

/// `n` floats uniform in [-1, 1), reproducible from `seed`.
inline std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// Sets or clears DSRT_GENERIC_KERNELS for one scope.
struct GenericKernels {
  explicit GenericKernels(bool on) {
    if (on)
      setenv("DSRT_GENERIC_KERNELS", "1", 1);
    else
      unsetenv("DSRT_GENERIC_KERNELS");
  }
  ~GenericKernels() { unsetenv("DSRT_GENERIC_KERNELS"); }
};

/// Forces one convolution path for one scope: DSRT_CONV_TILE = `tile`, or
/// DSRT_CONV_IM2COL for "im2col" (the GEMM path); null leaves the choice to
/// the runtime.
struct ConvTileEnv {
  explicit ConvTileEnv(const char *tile) {
    unsetenv("DSRT_CONV_TILE");
    unsetenv("DSRT_CONV_IM2COL");
    if (tile && !std::strcmp(tile, "im2col"))
      setenv("DSRT_CONV_IM2COL", "1", 1);
    else if (tile)
      setenv("DSRT_CONV_TILE", tile, 1);
  }
  ~ConvTileEnv() {
    unsetenv("DSRT_CONV_TILE");
    unsetenv("DSRT_CONV_IM2COL");
  }
};

} // namespace dsrt::test

/// In a test run twice (AVX-512 and portable kernels): skips the AVX-512 run
/// on a CPU without AVX-512F, where the portable run covers the case.
#define DSRT_SKIP_AVX512_RUN_WITHOUT_AVX512(generic)                          \
  do {                                                                         \
    if (!(generic) && !__builtin_cpu_supports("avx512f"))                      \
      GTEST_SKIP() << "this CPU has no AVX-512F; the scalar run covers it";    \
  } while (false)

#endif // DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H
