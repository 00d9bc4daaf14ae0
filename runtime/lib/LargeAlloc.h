//===- LargeAlloc.h - large runtime buffers on huge pages ------*- C++ -*-===//
//
// Internal to the runtime: the allocation of the large buffers it keeps or
// reuses (re-laid-out and packed weights, packing scratch, the compiled
// model's arena). The kernels stream these buffers: a K slice of one packed
// GEMM panel is 32 KiB (8 small pages), and a late ResNet-18 convolution
// reads 9.4 MB of re-laid-out weights once per call, 2300 small pages. On
// 4 KiB pages every few kilobytes cost a TLB miss, and in a virtual machine
// a miss is a two-level page walk. From 2 MiB up, a buffer is therefore
// 2 MiB aligned and its whole 2 MiB pieces are advised onto transparent
// huge pages (`madvise(MADV_HUGEPAGE)`; the advice works in THP's "madvise"
// mode, the usual default, and in "always"; with "never", or if the kernel
// has no huge page free, it is ignored). The tail stays on small pages, so
// no memory is added. See docs/performance.md ("Huge pages for weights and
// the arena") for the measurements.
//
// DSRT_HUGE_PAGES=0 turns the advice off (read once), for comparisons.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_LARGEALLOC_H
#define DSRT_LIB_LARGEALLOC_H

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <sys/mman.h>

namespace dsrt {

/// The size of a transparent huge page on x86-64 (and of the pieces
/// allocLarge advises).
constexpr size_t kHugePageBytes = size_t(2) << 20;

/// Whether allocLarge advises huge pages: yes unless DSRT_HUGE_PAGES is "0".
inline bool hugePagesEnabled() {
  static const bool enabled = [] {
    const char *e = std::getenv("DSRT_HUGE_PAGES");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return enabled;
}

/// `bytes` of memory aligned to `alignment` (a power of two, at least
/// sizeof(void *)), to be freed with std::free; null when out of memory.
/// From kHugePageBytes up (and hugePagesEnabled()), aligned to
/// kHugePageBytes instead, with its whole 2 MiB pieces advised onto huge
/// pages.
inline void *allocLarge(size_t bytes, size_t alignment) {
  if (bytes == 0)
    bytes = 1;
  bool huge = bytes >= kHugePageBytes && alignment <= kHugePageBytes &&
              hugePagesEnabled();
  void *p = nullptr;
  if (posix_memalign(&p, huge ? kHugePageBytes : alignment, bytes) != 0)
    return nullptr;
#ifdef MADV_HUGEPAGE
  if (huge)
    madvise(p, bytes / kHugePageBytes * kHugePageBytes,
            MADV_HUGEPAGE); // advice: a failure only leaves small pages
#endif
  return p;
}

} // namespace dsrt

#endif // DSRT_LIB_LARGEALLOC_H
