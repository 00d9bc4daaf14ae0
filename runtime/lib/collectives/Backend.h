//===- Backend.h - Interface between libdsrt and a collective backend -----===//
//
// libdsrt validates the arguments of the C ABI, computes the rank group and
// hands one `Call` to the active backend. Backends live in their own shared
// libraries (libdsrt_coll_mpi.so, libdsrt_coll_nccl.so) that libdsrt loads
// with dlopen on first use, so single-process use needs neither MPI nor
// CUDA. A backend library exports
//   extern "C" dsrt::coll::Backend *dsrt_coll_backend_create(std::string *error);
// Both sides are built from this tree by the same compiler.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_COLLECTIVES_BACKEND_H
#define DSRT_COLLECTIVES_BACKEND_H

#include "Core.h"

#include <cstring>
#include <string>

namespace dsrt::coll {

struct Call {
  Kind kind = Kind::AllReduce;
  const void *send = nullptr;
  void *recv = nullptr;
  int64_t count = 0;
  int32_t dtype = 0;
  int32_t reduction = DSRT_RED_SUM;
  int32_t algorithm = DSRT_ALGO_AUTO;
  int64_t root = 0;
  Group group;
};

/// Where a plan's rounds work for `call`, with the calling rank's own data
/// already in place (the layouts buildPlan expects, see Core.h).
struct LocalBuffers {
  char *work; ///< The buffer the rounds reduce and exchange in.
  char *temp; ///< Scratch for incoming chunks.
};

/// Copies the calling rank's part of `call`'s data to where the plan's
/// rounds expect it and returns the buffers they use. `scratch` holds at
/// least the plan's scratch elements (for ReduceScatter: n*count more).
inline LocalBuffers prepareLocalData(const Call &call, char *scratch) {
  size_t es = dtypeSize(call.dtype);
  int64_t cnt = call.count, n = call.group.size(), index = call.group.index;
  char *recv = static_cast<char *>(call.recv);
  const char *send = static_cast<const char *>(call.send);
  LocalBuffers buffers{recv, scratch};
  switch (call.kind) {
  case Kind::AllReduce:
    if (send != recv && cnt)
      std::memcpy(recv, send, cnt * es);
    break;
  case Kind::AllGather:
    if (cnt)
      std::memmove(recv + index * cnt * es, send, cnt * es);
    break;
  case Kind::ReduceScatter:
    buffers.work = scratch;
    buffers.temp = scratch + cnt * n * es;
    if (cnt)
      std::memcpy(buffers.work, send, cnt * n * es);
    break;
  case Kind::AllToAll:
    if (cnt)
      std::memcpy(recv + index * cnt * es, send + index * cnt * es, cnt * es);
    break;
  case Kind::Broadcast:
    break;
  }
  return buffers;
}

class Backend {
public:
  virtual ~Backend() = default;
  virtual const char *name() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Runs a collective; on failure returns non-zero with `error` set.
  virtual int32_t collective(const Call &call, std::string &error) = 0;
  virtual int32_t send(const void *buf, int64_t count, int32_t dtype,
                       int peer, int32_t tag, std::string &error) = 0;
  virtual int32_t recv(void *buf, int64_t count, int32_t dtype, int peer,
                       int32_t tag, std::string &error) = 0;
};

using BackendFactory = Backend *(*)(std::string *error);

} // namespace dsrt::coll

#endif // DSRT_COLLECTIVES_BACKEND_H
