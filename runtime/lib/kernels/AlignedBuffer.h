//===- AlignedBuffer.h - 64-byte aligned float buffers ------------*- C++ -*-===//
//
// Internal to runtime/lib/kernels: the owning pointer the kernels use for
// re-laid-out weights and packing scratch (std::aligned_alloc'd, so freed
// with std::free), and its 64-byte (cache-line, zmm) aligned allocation.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_KERNELS_ALIGNEDBUFFER_H
#define DSRT_KERNELS_ALIGNEDBUFFER_H

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace dsrt::kernels {

struct AlignedFree {
  void operator()(float *p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<float, AlignedFree>;

/// n floats, 64-byte aligned (the size rounded up to whole cache lines).
inline AlignedBuffer alignedFloats(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  return AlignedBuffer(static_cast<float *>(std::aligned_alloc(64, bytes)));
}

} // namespace dsrt::kernels

#endif // DSRT_KERNELS_ALIGNEDBUFFER_H
