//===- AlignedBuffer.h - 64-byte aligned float buffers ------------*- C++ -*-===//
//
// Internal to runtime/lib/kernels: the owning pointer the kernels use for
// re-laid-out weights and packing scratch (allocLarge'd, so freed with
// std::free), and its 64-byte (cache-line, zmm) aligned allocation, on
// transparent huge pages from 2 MiB up (../LargeAlloc.h).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_KERNELS_ALIGNEDBUFFER_H
#define DSRT_KERNELS_ALIGNEDBUFFER_H

#include "../LargeAlloc.h"

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace dsrt::kernels {

struct AlignedFree {
  void operator()(float *p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<float, AlignedFree>;

/// n floats, 64-byte aligned (the size rounded up to whole cache lines);
/// from 2 MiB up on huge pages where the kernel gives them (allocLarge).
inline AlignedBuffer alignedFloats(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  return AlignedBuffer(static_cast<float *>(allocLarge(bytes, 64)));
}

} // namespace dsrt::kernels

#endif // DSRT_KERNELS_ALIGNEDBUFFER_H
