//===- parallel.h - parallel loops of generated code ------------*- C -*-===//
//
// The entry point through which code compiled by the ds CPU back end runs a
// loop on the runtime's thread pool (the `ds-cpu-parallelize-loops` pass
// outlines the loop's body and emits the call). It shares the pool, and so
// the thread count (DS_NUM_THREADS, dsrt_set_num_threads), with the kernels
// of kernels.h: a call from a pool worker, or one that finds the pool busy,
// runs on the calling thread, so nothing adds threads.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_PARALLEL_H
#define DSRT_PARALLEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Calls body(ctx, lo, hi) for consecutive, disjoint ranges [lo, hi) that
/// cover [0, n) exactly once, possibly on several threads at once, and
/// returns when all calls have returned. The split depends only on n and
/// the thread count. Nothing happens for n <= 0.
void dsrt_parallel_for(int64_t n,
                       void (*body)(void *ctx, int64_t lo, int64_t hi),
                       void *ctx);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // DSRT_PARALLEL_H
