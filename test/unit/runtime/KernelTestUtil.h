//===- KernelTestUtil.h - shared helpers of the runtime kernel tests ------===//
//
// Random inputs and the switch that forces the portable kernels, used by the
// convolution, depthwise and pooling kernel tests.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H
#define DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H

#include <cstdlib>
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

} // namespace dsrt::test

#endif // DS_TEST_UNIT_RUNTIME_KERNELTESTUTIL_H
