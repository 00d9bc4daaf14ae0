//===- ParallelFor.cpp - dsrt_parallel_for on the runtime's pool ---------===//
//
// Up to two ranges per thread: enough for a thread that starts late to
// leave its second range to the others, few enough that each range stays
// long (the loops this serves are memory-bound elementwise and reduction
// loops, where a range shorter than a few thousand elements costs more in
// hand-out than it saves).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "ThreadPool.h"

#include "dsrt/parallel.h"

#include <algorithm>

DSRT_EXPORT void dsrt_parallel_for(int64_t n,
                                   void (*body)(void *, int64_t, int64_t),
                                   void *ctx) {
  if (n <= 0)
    return;
  int64_t threads = dsrt::numThreads();
  int64_t tasks = std::min<int64_t>(n, threads > 1 ? 2 * threads : 1);
  if (tasks == 1) {
    body(ctx, 0, n);
    return;
  }
  dsrt::parallelFor(tasks, [&](int64_t t) {
    int64_t lo = n * t / tasks, hi = n * (t + 1) / tasks;
    if (lo < hi)
      body(ctx, lo, hi);
  });
}
