//===- Collectives.cpp - The dsrt collective C ABI -----------------------===//
//
// Entry points of runtime/include/dsrt/collectives.h. Arguments are checked
// here; the work is done by a backend chosen once per process:
//
//  DS_COLL_BACKEND=local  world of one rank; every collective is a copy.
//  DS_COLL_BACKEND=mpi    libdsrt_coll_mpi.so (OpenMPI).
//  DS_COLL_BACKEND=nccl   libdsrt_coll_nccl.so (needs a GPU).
//  DS_COLL_BACKEND=tcp    sockets, ranks from RANK/WORLD_SIZE/MASTER_ADDR/
//                         MASTER_PORT (built into libdsrt).
//  unset                  mpi when the process was started by mpirun
//                         (OMPI_COMM_WORLD_SIZE / PMIX_RANK / PMI_SIZE set),
//                         tcp when WORLD_SIZE > 1, otherwise local.
//
// The backend libraries are looked up next to libdsrt (or at
// DS_COLL_BACKEND_LIB).
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "../Internal.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>

namespace dsrt::coll {
Backend *createTcpBackend(std::string &error); // tcp/TcpBackend.cpp
} // namespace dsrt::coll

using namespace dsrt::coll;

namespace {

/// A world of one rank: groups have one member; all collectives copy.
class LocalBackend final : public Backend {
public:
  const char *name() const override { return "local"; }
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int32_t collective(const Call &call, std::string &error) override {
    size_t bytes = static_cast<size_t>(call.count) * dtypeSize(call.dtype);
    if (call.kind == Kind::Broadcast)
      return 0;
    if (bytes && call.send != call.recv)
      std::memmove(call.recv, call.send, bytes);
    return 0;
  }
  int32_t send(const void *, int64_t, int32_t, int peer, int32_t,
               std::string &error) override {
    error = "send to rank " + std::to_string(peer) +
            ": the world has one rank (start with mpirun for more)";
    return DSRT_INVALID_ARGUMENT;
  }
  int32_t recv(void *, int64_t, int32_t, int peer, int32_t,
               std::string &error) override {
    error = "recv from rank " + std::to_string(peer) +
            ": the world has one rank (start with mpirun for more)";
    return DSRT_INVALID_ARGUMENT;
  }
};

std::string libraryDir() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&dsrt_world_size), &info) && info.dli_fname) {
    std::string path = info.dli_fname;
    size_t slash = path.rfind('/');
    if (slash != std::string::npos)
      return path.substr(0, slash + 1);
  }
  return "";
}

Backend *loadBackend(const std::string &which, std::string &error) {
  std::string path;
  if (const char *p = std::getenv("DS_COLL_BACKEND_LIB"))
    path = p;
  else
    path = libraryDir() + "libdsrt_coll_" + which + ".so";
  // RTLD_GLOBAL: OpenMPI's components resolve libmpi symbols globally.
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char *e = dlerror();
    error = "cannot load the " + which + " collective backend: " + (e ? e : path);
    return nullptr;
  }
  auto create = reinterpret_cast<BackendFactory>(dlsym(handle, "dsrt_coll_backend_create"));
  if (!create) {
    error = path + " does not export dsrt_coll_backend_create";
    return nullptr;
  }
  std::string err;
  Backend *b = create(&err);
  if (!b)
    error = which + " backend: " + err;
  return b;
}

bool launchedByMPI() {
  for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v))
      return true;
  return false;
}

std::once_flag initOnce;
Backend *backend = nullptr;
std::string backendError;

Backend *getBackend() {
  std::call_once(initOnce, [] {
    const char *env = std::getenv("DS_COLL_BACKEND");
    std::string which = env && *env ? env : "";
    if (which.empty()) {
      if (launchedByMPI()) {
        which = "mpi";
      } else if (const char *ws = std::getenv("WORLD_SIZE");
                 ws && std::atoi(ws) > 1) {
        which = "tcp"; // torchrun-style RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT
      } else {
        which = "local";
      }
    }
    if (which == "local") {
      backend = new LocalBackend();
      return;
    }
    if (which == "tcp") {
      backend = createTcpBackend(backendError);
      if (!backend)
        backendError = "tcp backend: " + backendError;
      return;
    }
    if (which != "mpi" && which != "nccl") {
      backendError = "DS_COLL_BACKEND=" + which + " is not one of local, mpi, nccl, tcp";
      return;
    }
    backend = loadBackend(which, backendError);
  });
  if (!backend)
    dsrt::setError(DSRT_INTERNAL, backendError);
  return backend;
}

int32_t fail(dsrt_status status, const std::string &what, const std::string &msg) {
  return dsrt::setError(status, "dsrt: " + what + ": " + msg);
}

int32_t collective(Kind kind, const void *send, void *recv, int64_t count,
                   int32_t dtype, int32_t reduction, int64_t root,
                   const int64_t *meshShape, int32_t meshNdim,
                   const int32_t *axes, int32_t numAxes, int32_t algorithm) {
  const char *what = kindName(kind);
  if (count < 0)
    return fail(DSRT_INVALID_ARGUMENT, what, "negative count " + std::to_string(count));
  if (dtypeSize(dtype) == 0)
    return fail(DSRT_INVALID_ARGUMENT, what, "unknown dtype code " + std::to_string(dtype));
  if ((kind == Kind::AllReduce || kind == Kind::ReduceScatter) &&
      !reductionSupported(dtype, reduction))
    return fail(DSRT_INVALID_ARGUMENT, what, "unknown reduction code " + std::to_string(reduction));
  if (algorithm < DSRT_ALGO_AUTO || algorithm > DSRT_ALGO_NATIVE)
    return fail(DSRT_INVALID_ARGUMENT, what, "unknown algorithm code " + std::to_string(algorithm));
  if (count > 0 && (!recv || (kind != Kind::Broadcast && !send)))
    return fail(DSRT_INVALID_ARGUMENT, what, "null buffer");
  Backend *b = getBackend();
  if (!b)
    return DSRT_INTERNAL;
  Call call;
  call.kind = kind;
  call.send = send;
  call.recv = recv;
  call.count = count;
  call.dtype = dtype;
  call.reduction = reduction;
  call.algorithm = algorithm;
  call.root = root;
  std::string error;
  if (b->size() == 1) {
    // One rank: the group is {0} whatever size the mesh has (sharded
    // artifacts run single-process), but the mesh and axes must be valid.
    int64_t total = 1;
    for (int32_t i = 0; meshShape && i < meshNdim; ++i)
      total *= meshShape[i] > 0 && meshShape[i] < (int64_t(1) << 31) ? meshShape[i] : 1;
    if (total > (int64_t(1) << 31) ||
        !computeGroup(0, static_cast<int>(total), meshShape, meshNdim, axes, numAxes,
                      call.group, error))
      return fail(DSRT_INVALID_ARGUMENT, what, error.empty() ? "mesh too large" : error);
    call.group.members = {0};
    call.group.index = 0;
  } else if (!computeGroup(b->rank(), b->size(), meshShape, meshNdim, axes,
                           numAxes, call.group, error)) {
    return fail(DSRT_INVALID_ARGUMENT, what, error);
  }
  if (kind == Kind::Broadcast && (root < 0 || root >= call.group.size()))
    return fail(DSRT_INVALID_ARGUMENT, what,
                "root " + std::to_string(root) + " is outside the group of " +
                    std::to_string(call.group.size()));
  if (int32_t st = b->collective(call, error))
    return fail(static_cast<dsrt_status>(st), what, error);
  return 0;
}

} // namespace

DSRT_EXPORT int32_t dsrt_world_rank(void) {
  Backend *b = getBackend();
  return b ? b->rank() : -1;
}

DSRT_EXPORT int32_t dsrt_world_size(void) {
  Backend *b = getBackend();
  return b ? b->size() : -1;
}

DSRT_EXPORT int32_t dsrt_all_reduce(const void *send, void *recv, int64_t count,
                                    int32_t dtype, int32_t reduction,
                                    const int64_t *mesh_shape, int32_t mesh_ndim,
                                    const int32_t *axes, int32_t num_axes,
                                    int32_t algorithm) {
  return collective(Kind::AllReduce, send, recv, count, dtype, reduction, 0,
                    mesh_shape, mesh_ndim, axes, num_axes, algorithm);
}

DSRT_EXPORT int32_t dsrt_all_gather(const void *send, void *recv, int64_t count,
                                    int32_t dtype, const int64_t *mesh_shape,
                                    int32_t mesh_ndim, const int32_t *axes,
                                    int32_t num_axes, int32_t algorithm) {
  return collective(Kind::AllGather, send, recv, count, dtype, DSRT_RED_SUM, 0,
                    mesh_shape, mesh_ndim, axes, num_axes, algorithm);
}

DSRT_EXPORT int32_t dsrt_reduce_scatter(const void *send, void *recv,
                                        int64_t count, int32_t dtype,
                                        int32_t reduction,
                                        const int64_t *mesh_shape,
                                        int32_t mesh_ndim, const int32_t *axes,
                                        int32_t num_axes, int32_t algorithm) {
  return collective(Kind::ReduceScatter, send, recv, count, dtype, reduction, 0,
                    mesh_shape, mesh_ndim, axes, num_axes, algorithm);
}

DSRT_EXPORT int32_t dsrt_all_to_all(const void *send, void *recv, int64_t count,
                                    int32_t dtype, const int64_t *mesh_shape,
                                    int32_t mesh_ndim, const int32_t *axes,
                                    int32_t num_axes) {
  return collective(Kind::AllToAll, send, recv, count, dtype, DSRT_RED_SUM, 0,
                    mesh_shape, mesh_ndim, axes, num_axes, DSRT_ALGO_AUTO);
}

DSRT_EXPORT int32_t dsrt_broadcast(void *buf, int64_t count, int32_t dtype,
                                   int64_t root, const int64_t *mesh_shape,
                                   int32_t mesh_ndim, const int32_t *axes,
                                   int32_t num_axes) {
  return collective(Kind::Broadcast, buf, buf, count, dtype, DSRT_RED_SUM, root,
                    mesh_shape, mesh_ndim, axes, num_axes, DSRT_ALGO_AUTO);
}

static int32_t p2pCheck(const char *what, const void *buf, int64_t count,
                        int32_t dtype, int64_t peer, Backend *&b) {
  if (count < 0)
    return fail(DSRT_INVALID_ARGUMENT, what, "negative count " + std::to_string(count));
  if (dtypeSize(dtype) == 0)
    return fail(DSRT_INVALID_ARGUMENT, what, "unknown dtype code " + std::to_string(dtype));
  if (count > 0 && !buf)
    return fail(DSRT_INVALID_ARGUMENT, what, "null buffer");
  b = getBackend();
  if (!b)
    return DSRT_INTERNAL;
  if (peer < 0 || peer >= b->size() || peer == b->rank())
    return fail(DSRT_INVALID_ARGUMENT, what,
                "peer " + std::to_string(peer) + " is not another rank of a world of " +
                    std::to_string(b->size()));
  return 0;
}

DSRT_EXPORT int32_t dsrt_send(const void *buf, int64_t count, int32_t dtype,
                              int64_t peer, int32_t tag) {
  Backend *b = nullptr;
  if (int32_t st = p2pCheck("send", buf, count, dtype, peer, b))
    return st;
  std::string error;
  if (int32_t st = b->send(buf, count, dtype, static_cast<int>(peer), tag, error))
    return fail(static_cast<dsrt_status>(st), "send", error);
  return 0;
}

DSRT_EXPORT int32_t dsrt_recv(void *buf, int64_t count, int32_t dtype,
                              int64_t peer, int32_t tag) {
  Backend *b = nullptr;
  if (int32_t st = p2pCheck("recv", buf, count, dtype, peer, b))
    return st;
  std::string error;
  if (int32_t st = b->recv(buf, count, dtype, static_cast<int>(peer), tag, error))
    return fail(static_cast<dsrt_status>(st), "recv", error);
  return 0;
}
