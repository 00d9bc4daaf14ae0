//===- collectives.h - ds runtime collective ABI ----------------*- C -*-===//
//
// Collective communication entry points called by generated code (lowered
// `dsc` ops) and by frameworks. The ABI is fixed: see docs/runtime-collectives.md.
//
// Rank groups are described by a device mesh in row-major rank order (rank =
// linearized mesh coordinate) and the mesh axes the collective runs over: the
// group of the calling rank is the set of ranks that share all coordinates on
// the *other* axes; the index within the group is the linearized coordinate
// over `axes` (in the given order).
//
// Every function returns 0 on success and non-zero on failure; the message is
// available from dsrt_last_error(). With a world size of 1 every collective is
// a local copy, so sharded artifacts also run single-process.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_COLLECTIVES_H
#define DSRT_COLLECTIVES_H

#include <stdint.h>

#include "dsrt/dsrt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  DSRT_RED_SUM = 0,
  DSRT_RED_PROD = 1,
  DSRT_RED_MAX = 2,
  DSRT_RED_MIN = 3
} dsrt_reduction;

typedef enum {
  DSRT_ALGO_AUTO = 0,
  DSRT_ALGO_RING = 1,
  DSRT_ALGO_TREE = 2,
  DSRT_ALGO_RABENSEIFNER = 3,
  DSRT_ALGO_HIER2 = 4,
  DSRT_ALGO_HIER3 = 5,
  DSRT_ALGO_NATIVE = 6 /* backend's own, e.g. MPI_Allreduce */
} dsrt_coll_algorithm;

/* dtype: the dsrt_dtype codes of dsrt.h. */
int32_t dsrt_world_rank(void);
int32_t dsrt_world_size(void);
int32_t dsrt_all_reduce(const void *send, void *recv, int64_t count,
                        int32_t dtype, int32_t reduction,
                        const int64_t *mesh_shape, int32_t mesh_ndim,
                        const int32_t *axes, int32_t num_axes,
                        int32_t algorithm);
/* all_gather / reduce_scatter / all_to_all: contiguous chunks in group-index
 * order; count = elements per rank chunk. */
int32_t dsrt_all_gather(const void *send, void *recv, int64_t count,
                        int32_t dtype, const int64_t *mesh_shape,
                        int32_t mesh_ndim, const int32_t *axes,
                        int32_t num_axes, int32_t algorithm);
int32_t dsrt_reduce_scatter(const void *send, void *recv, int64_t count,
                            int32_t dtype, int32_t reduction,
                            const int64_t *mesh_shape, int32_t mesh_ndim,
                            const int32_t *axes, int32_t num_axes,
                            int32_t algorithm);
int32_t dsrt_all_to_all(const void *send, void *recv, int64_t count,
                        int32_t dtype, const int64_t *mesh_shape,
                        int32_t mesh_ndim, const int32_t *axes,
                        int32_t num_axes);
int32_t dsrt_broadcast(void *buf, int64_t count, int32_t dtype,
                       int64_t root /* group index */,
                       const int64_t *mesh_shape, int32_t mesh_ndim,
                       const int32_t *axes, int32_t num_axes);
int32_t dsrt_send(const void *buf, int64_t count, int32_t dtype,
                  int64_t peer /* world rank */, int32_t tag);
int32_t dsrt_recv(void *buf, int64_t count, int32_t dtype,
                  int64_t peer /* world rank */, int32_t tag);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // DSRT_COLLECTIVES_H
