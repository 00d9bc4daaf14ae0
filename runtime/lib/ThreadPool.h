//===- ThreadPool.h - the runtime's compute thread pool ---------*- C++ -*-===//
//
// One process-wide pool that the compute kernels share. The caller takes
// part in the work, so a pool of `n` threads starts `n - 1` workers. Nested
// or concurrent calls run serially on the calling thread instead of adding
// threads (no oversubscription).
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_LIB_THREADPOOL_H
#define DSRT_LIB_THREADPOOL_H

#include <cstdint>

namespace dsrt {

/// Calls fn(ctx, i) for every i in [0, n), on up to numThreads() threads.
/// Returns when all calls have returned.
void parallelFor(int64_t n, void (*fn)(void *ctx, int64_t i), void *ctx);

/// Convenience wrapper for a callable `f(int64_t)`.
template <typename F> void parallelFor(int64_t n, F &&f) {
  parallelFor(
      n, [](void *ctx, int64_t i) { (*static_cast<F *>(ctx))(i); },
      static_cast<void *>(&f));
}

/// The thread count parallelFor uses now (at least 1).
int numThreads();

} // namespace dsrt

#endif // DSRT_LIB_THREADPOOL_H
