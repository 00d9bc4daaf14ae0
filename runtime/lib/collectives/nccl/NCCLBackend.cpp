//===- NCCLBackend.cpp - Collectives on NVIDIA GPUs through NCCL ----------===//
//
// libdsrt_coll_nccl.so. Built against CUDA's headers only: libcuda.so.1 and
// libnccl.so.2 are loaded with dlopen when the backend is created, so the
// library builds and loads on machines without a GPU and says so clearly
// ("no CUDA device/driver: ...") when asked to run there.
//
// Buffers passed to the collective ABI must be device memory when this
// backend is active. Ranks start under mpirun: the MPI backend
// (libdsrt_coll_mpi.so, loaded from the same directory) provides the rank,
// the world size, the broadcast of NCCL's unique id, and the descriptor
// check that catches mismatched collectives before any GPU work is queued.
//
// Each collective follows an NcclPlan (NCCLPlan.h): communicators split from
// the world communicator per topology level (ncclCommSplit, cached), one
// CUDA stream per communicator, and chunked steps whose dependencies are
// CUDA events, so the levels of consecutive chunks overlap.
//
//===----------------------------------------------------------------------===//
#include "../Backend.h"
#include "NCCLPlan.h"

#include <cuda.h>
#include <nccl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <sched.h>
#include <unistd.h>

using namespace dsrt::coll;

namespace {

using Clock = std::chrono::steady_clock;

struct CudaApi {
  void *lib = nullptr;
  CUresult (*init)(unsigned) = nullptr;
  CUresult (*deviceGetCount)(int *) = nullptr;
  CUresult (*deviceGet)(CUdevice *, int) = nullptr;
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice) = nullptr;
  CUresult (*ctxSetCurrent)(CUcontext) = nullptr;
  CUresult (*streamCreate)(CUstream *, unsigned) = nullptr;
  CUresult (*streamQuery)(CUstream) = nullptr;
  CUresult (*eventCreate)(CUevent *, unsigned) = nullptr;
  CUresult (*eventRecord)(CUevent, CUstream) = nullptr;
  CUresult (*streamWaitEvent)(CUstream, CUevent, unsigned) = nullptr;
  CUresult (*memcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream) = nullptr;
  CUresult (*getErrorString)(CUresult, const char **) = nullptr;
};

struct NcclApi {
  void *lib = nullptr;
  decltype(&ncclGetUniqueId) getUniqueId = nullptr;
  decltype(&ncclCommInitRank) commInitRank = nullptr;
  decltype(&ncclCommSplit) commSplit = nullptr;
  decltype(&ncclCommAbort) commAbort = nullptr;
  decltype(&ncclCommGetAsyncError) commGetAsyncError = nullptr;
  decltype(&ncclGetErrorString) getErrorString = nullptr;
  decltype(&ncclAllReduce) allReduce = nullptr;
  decltype(&ncclReduceScatter) reduceScatter = nullptr;
  decltype(&ncclAllGather) allGather = nullptr;
  decltype(&ncclBroadcast) broadcast = nullptr;
  decltype(&ncclSend) send = nullptr;
  decltype(&ncclRecv) recv = nullptr;
  decltype(&ncclGroupStart) groupStart = nullptr;
  decltype(&ncclGroupEnd) groupEnd = nullptr;
};

template <typename T> bool sym(void *lib, const char *name, T &out, std::string &missing) {
  out = reinterpret_cast<T>(dlsym(lib, name));
  if (!out)
    missing += std::string(missing.empty() ? "" : ", ") + name;
  return out != nullptr;
}

std::string libDir() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&libDir), &info) && info.dli_fname) {
    std::string p = info.dli_fname;
    size_t s = p.rfind('/');
    if (s != std::string::npos)
      return p.substr(0, s + 1);
  }
  return "";
}

bool ncclTypeOf(int32_t dtype, ncclDataType_t &t) {
  switch (dtype) {
  case DSRT_F32: t = ncclFloat32; return true;
  case DSRT_F64: t = ncclFloat64; return true;
  case DSRT_F16: t = ncclFloat16; return true;
  case DSRT_BF16: t = ncclBfloat16; return true;
  case DSRT_I8: t = ncclInt8; return true;
  case DSRT_U8: case DSRT_BOOL: t = ncclUint8; return true;
  case DSRT_I32: t = ncclInt32; return true;
  case DSRT_U32: t = ncclUint32; return true;
  case DSRT_I64: t = ncclInt64; return true;
  case DSRT_U64: t = ncclUint64; return true;
  default: return false; // NCCL has no 16-bit integers
  }
}

ncclRedOp_t ncclOpOf(int32_t dtype, int32_t red) {
  if (dtype == DSRT_BOOL)
    return (red == DSRT_RED_SUM || red == DSRT_RED_MAX) ? ncclMax : ncclMin;
  switch (red) {
  case DSRT_RED_SUM: return ncclSum;
  case DSRT_RED_PROD: return ncclProd;
  case DSRT_RED_MAX: return ncclMax;
  default: return ncclMin;
  }
}

class NCCLBackend final : public Backend {
public:
  bool init(std::string &error) {
    timeout_ = 300;
    if (const char *t = std::getenv("DS_COLL_TIMEOUT_S"))
      if (std::atof(t) > 0)
        timeout_ = std::atof(t);
    if (!loadCuda(error) || !loadNccl(error) || !loadBootstrap(error))
      return false;
    rank_ = mpi_->rank();
    size_ = mpi_->size();
    int local = 0;
    for (const char *v : {"OMPI_COMM_WORLD_LOCAL_RANK", "LOCAL_RANK", "MPI_LOCALRANKID"})
      if (const char *s = std::getenv(v)) {
        local = std::atoi(s);
        break;
      }
    CUdevice dev;
    CUcontext ctx;
    if (!cu(cuda_.deviceGet(&dev, local % deviceCount_), "cuDeviceGet", error) ||
        !cu(cuda_.primaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain", error) ||
        !cu(cuda_.ctxSetCurrent(ctx), "cuCtxSetCurrent", error))
      return false;
    ncclUniqueId id;
    std::memset(&id, 0, sizeof(id));
    if (rank_ == 0 && !nc(nccl_.getUniqueId(&id), "ncclGetUniqueId", error))
      return false;
    Call bc;
    bc.kind = Kind::Broadcast;
    bc.send = bc.recv = &id;
    bc.count = sizeof(id);
    bc.dtype = DSRT_U8;
    bc.group.members.resize(size_);
    for (int r = 0; r < size_; ++r)
      bc.group.members[r] = r;
    bc.group.index = rank_;
    if (mpi_->collective(bc, error))
      return false;
    if (!nc(nccl_.commInitRank(&world_, size_, id, rank_), "ncclCommInitRank", error))
      return false;
    // Nodes: ranks that share a host, or DS_COLL_RANKS_PER_NODE.
    int perNode = std::getenv("DS_COLL_RANKS_PER_NODE") ? std::atoi(std::getenv("DS_COLL_RANKS_PER_NODE")) : 0;
    if (perNode <= 0)
      perNode = deviceCount_;
    for (int r = 0; r < size_; ++r)
      topo_.nodeOf.push_back(r / perNode);
    if (const char *c = std::getenv("DS_COLL_NODES_PER_CLUSTER"))
      if (std::atoi(c) > 0)
        for (int r = 0; r < size_; ++r)
          topo_.clusterOf.push_back(topo_.nodeOf[r] / std::atoi(c));
    return true;
  }

  const char *name() const override { return "nccl"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  int32_t collective(const Call &call, std::string &error) override {
    if (failed_) {
      error = "an earlier collective failed; the NCCL backend is unusable";
      return DSRT_INTERNAL;
    }
    ncclDataType_t t;
    if (!ncclTypeOf(call.dtype, t)) {
      error = "NCCL has no 16-bit integer type (dtype " + std::to_string(call.dtype) + ")";
      return DSRT_INVALID_ARGUMENT;
    }
    if (call.group.size() > 1 && !agree(call, error))
      return fail();
    PlanOptions opt;
    opt.elemSize = dtypeSize(call.dtype);
    NcclPlan plan = buildNcclPlan(call.kind, call.group, call.count, call.algorithm,
                                  call.root, topo_, opt);
    if (std::getenv("DS_COLL_DEBUG") && rank_ == 0)
      std::fprintf(stderr, "dsrt(nccl): %s count=%lld plan=%s steps=%zu\n",
                   kindName(call.kind), static_cast<long long>(call.count),
                   plan.description.c_str(), plan.steps.size());
    std::vector<Comm *> comms;
    for (const NcclComm &c : plan.comms) {
      Comm *comm = getComm(c, error);
      if (!comm)
        return fail();
      comms.push_back(comm);
    }
    size_t es = dtypeSize(call.dtype);
    CUdeviceptr recv = reinterpret_cast<CUdeviceptr>(call.recv);
    CUdeviceptr send = reinterpret_cast<CUdeviceptr>(call.send);
    if (plan.copyInput && call.send != call.recv && call.count) {
      CUstream s = comms[plan.steps.empty() ? 0 : plan.steps[0].comm]->stream;
      int64_t off = call.kind == Kind::AllGather ? call.group.index * call.count : 0;
      if (!cu(cuda_.memcpyDtoDAsync(recv + off * es, send, call.count * es, s),
              "cuMemcpyDtoDAsync", error))
        return fail();
    }
    std::vector<CUevent> done(plan.steps.size());
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const NcclStep &s = plan.steps[i];
      Comm *c = comms[s.comm];
      if (s.dependsOn >= 0 &&
          !cu(cuda_.streamWaitEvent(c->stream, done[s.dependsOn], 0), "cuStreamWaitEvent", error))
        return fail();
      char *base = reinterpret_cast<char *>(recv) + s.offset * es;
      ncclResult_t r = ncclSuccess;
      int n = static_cast<int>(plan.comms[s.comm].members.size());
      int me = plan.comms[s.comm].key;
      switch (s.op) {
      case NcclOp::AllReduce:
        r = nccl_.allReduce(base, base, s.count, t, ncclOpOf(call.dtype, call.reduction),
                            c->comm, c->stream);
        break;
      case NcclOp::ReduceScatter:
        if (call.kind == Kind::ReduceScatter) // out of place: send -> recv
          r = nccl_.reduceScatter(call.send, call.recv, s.count, t,
                                  ncclOpOf(call.dtype, call.reduction), c->comm, c->stream);
        else
          r = nccl_.reduceScatter(base, base + me * s.count * es, s.count, t,
                                  ncclOpOf(call.dtype, call.reduction), c->comm, c->stream);
        break;
      case NcclOp::AllGather:
        r = nccl_.allGather(base + me * s.count * es, base, s.count, t, c->comm, c->stream);
        break;
      case NcclOp::Broadcast:
        r = nccl_.broadcast(base, base, s.count, t, s.root, c->comm, c->stream);
        break;
      case NcclOp::AllToAll: {
        const char *in = static_cast<const char *>(call.send);
        r = nccl_.groupStart();
        for (int p = 0; p < n && r == ncclSuccess; ++p) {
          r = nccl_.send(in + p * s.count * es, s.count, t, p, c->comm, c->stream);
          if (r == ncclSuccess)
            r = nccl_.recv(base + p * s.count * es, s.count, t, p, c->comm, c->stream);
        }
        ncclResult_t e = nccl_.groupEnd();
        if (r == ncclSuccess)
          r = e;
        break;
      }
      }
      if (!nc(r, ncclOpName(s.op), error))
        return fail();
      if (!cu(cuda_.eventCreate(&done[i], CU_EVENT_DISABLE_TIMING), "cuEventCreate", error) ||
          !cu(cuda_.eventRecord(done[i], c->stream), "cuEventRecord", error))
        return fail();
    }
    if (!wait(comms, std::string(kindName(call.kind)) + " [" + plan.description + "]", error))
      return fail();
    return 0;
  }

  int32_t send(const void *buf, int64_t count, int32_t dtype, int peer, int32_t,
               std::string &error) override {
    return p2p(const_cast<void *>(buf), count, dtype, peer, true, error);
  }
  int32_t recv(void *buf, int64_t count, int32_t dtype, int peer, int32_t,
               std::string &error) override {
    return p2p(buf, count, dtype, peer, false, error);
  }

private:
  struct Comm {
    ncclComm_t comm = nullptr;
    CUstream stream = nullptr;
  };

  int32_t fail() {
    failed_ = true;
    return DSRT_INTERNAL;
  }

  bool cu(CUresult r, const char *what, std::string &error) {
    if (r == CUDA_SUCCESS)
      return true;
    const char *msg = nullptr;
    if (cuda_.getErrorString)
      cuda_.getErrorString(r, &msg);
    error = std::string(what) + " failed: " + (msg ? msg : std::to_string(r));
    return false;
  }

  bool nc(ncclResult_t r, const char *what, std::string &error) {
    if (r == ncclSuccess)
      return true;
    error = std::string(what) + " failed: " + nccl_.getErrorString(r);
    return false;
  }

  bool loadCuda(std::string &error) {
    cuda_.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!cuda_.lib) {
      const char *e = dlerror();
      error = std::string("no CUDA device/driver: cannot load libcuda.so.1 (") +
              (e ? e : "not found") + ")";
      return false;
    }
    std::string missing;
    sym(cuda_.lib, "cuInit", cuda_.init, missing);
    sym(cuda_.lib, "cuDeviceGetCount", cuda_.deviceGetCount, missing);
    sym(cuda_.lib, "cuDeviceGet", cuda_.deviceGet, missing);
    sym(cuda_.lib, "cuDevicePrimaryCtxRetain", cuda_.primaryCtxRetain, missing);
    sym(cuda_.lib, "cuCtxSetCurrent", cuda_.ctxSetCurrent, missing);
    sym(cuda_.lib, "cuStreamCreate", cuda_.streamCreate, missing);
    sym(cuda_.lib, "cuStreamQuery", cuda_.streamQuery, missing);
    sym(cuda_.lib, "cuEventCreate", cuda_.eventCreate, missing);
    sym(cuda_.lib, "cuEventRecord", cuda_.eventRecord, missing);
    sym(cuda_.lib, "cuStreamWaitEvent", cuda_.streamWaitEvent, missing);
    sym(cuda_.lib, "cuMemcpyDtoDAsync_v2", cuda_.memcpyDtoDAsync, missing);
    sym(cuda_.lib, "cuGetErrorString", cuda_.getErrorString, missing);
    if (!missing.empty()) {
      error = "libcuda.so.1 lacks " + missing;
      return false;
    }
    CUresult r = cuda_.init(0);
    if (r != CUDA_SUCCESS) {
      const char *msg = nullptr;
      cuda_.getErrorString(r, &msg);
      error = std::string("no CUDA device/driver: cuInit failed (") +
              (msg ? msg : std::to_string(r)) + ")";
      return false;
    }
    if (cuda_.deviceGetCount(&deviceCount_) != CUDA_SUCCESS || deviceCount_ == 0) {
      error = "no CUDA device/driver: the driver reports no CUDA devices";
      return false;
    }
    return true;
  }

  bool loadNccl(std::string &error) {
    std::string tried;
    for (const char *p : {"libnccl.so.2", "/usr/local/cuda/lib64/libnccl.so.2"}) {
      nccl_.lib = dlopen(p, RTLD_NOW | RTLD_LOCAL);
      if (nccl_.lib)
        break;
      const char *e = dlerror();
      tried += std::string(tried.empty() ? "" : "; ") + (e ? e : p);
    }
    if (!nccl_.lib) {
      error = "cannot load NCCL: " + tried;
      return false;
    }
    std::string missing;
    sym(nccl_.lib, "ncclGetUniqueId", nccl_.getUniqueId, missing);
    sym(nccl_.lib, "ncclCommInitRank", nccl_.commInitRank, missing);
    sym(nccl_.lib, "ncclCommSplit", nccl_.commSplit, missing);
    sym(nccl_.lib, "ncclCommAbort", nccl_.commAbort, missing);
    sym(nccl_.lib, "ncclCommGetAsyncError", nccl_.commGetAsyncError, missing);
    sym(nccl_.lib, "ncclGetErrorString", nccl_.getErrorString, missing);
    sym(nccl_.lib, "ncclAllReduce", nccl_.allReduce, missing);
    sym(nccl_.lib, "ncclReduceScatter", nccl_.reduceScatter, missing);
    sym(nccl_.lib, "ncclAllGather", nccl_.allGather, missing);
    sym(nccl_.lib, "ncclBroadcast", nccl_.broadcast, missing);
    sym(nccl_.lib, "ncclSend", nccl_.send, missing);
    sym(nccl_.lib, "ncclRecv", nccl_.recv, missing);
    sym(nccl_.lib, "ncclGroupStart", nccl_.groupStart, missing);
    sym(nccl_.lib, "ncclGroupEnd", nccl_.groupEnd, missing);
    if (!missing.empty()) {
      error = "libnccl lacks " + missing + " (ncclCommSplit needs NCCL >= 2.18)";
      return false;
    }
    return true;
  }

  bool loadBootstrap(std::string &error) {
    std::string path = libDir() + "libdsrt_coll_mpi.so";
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
      const char *e = dlerror();
      error = "the NCCL backend bootstraps through MPI and cannot load it: " +
              std::string(e ? e : path);
      return false;
    }
    auto create = reinterpret_cast<BackendFactory>(dlsym(h, "dsrt_coll_backend_create"));
    if (!create) {
      error = path + " does not export dsrt_coll_backend_create";
      return false;
    }
    std::string err;
    mpi_ = create(&err);
    if (!mpi_) {
      error = "MPI bootstrap: " + err;
      return false;
    }
    return true;
  }

  /// Every group member gathers every member's call description through
  /// MPI (on the CPU) before GPU work is queued.
  bool agree(const Call &call, std::string &error) {
    int64_t mine[6] = {++seq_[call.group.members], static_cast<int64_t>(call.kind), call.count,
                       call.dtype, call.reduction, call.root};
    std::vector<int64_t> all(6 * call.group.size());
    Call g;
    g.kind = Kind::AllGather;
    g.send = mine;
    g.recv = all.data();
    g.count = 6;
    g.dtype = DSRT_I64;
    g.algorithm = DSRT_ALGO_RING;
    g.group = call.group;
    if (mpi_->collective(g, error))
      return false;
    for (int i = 0; i < call.group.size(); ++i)
      if (std::memcmp(&all[6 * i], mine, sizeof(mine)) != 0) {
        error = "collective mismatch in the group: rank " + std::to_string(rank_) +
                " called " + kindName(call.kind) + "(count=" + std::to_string(call.count) +
                ") but rank " + std::to_string(call.group.members[i]) + " called " +
                kindName(static_cast<Kind>(all[6 * i + 1])) +
                "(count=" + std::to_string(all[6 * i + 2]) + ")";
        return false;
      }
    return true;
  }

  Comm *getComm(const NcclComm &c, std::string &error) {
    auto key = std::make_pair(c.level, c.members);
    auto it = comms_.find(key);
    if (it != comms_.end())
      return it->second.get();
    auto comm = std::make_unique<Comm>();
    if (c.members.size() == static_cast<size_t>(size_) && c.level == "group") {
      comm->comm = world_;
    } else if (!nc(nccl_.commSplit(world_, c.color, c.key, &comm->comm, nullptr),
                   "ncclCommSplit", error)) {
      return nullptr;
    }
    if (!cu(cuda_.streamCreate(&comm->stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate", error))
      return nullptr;
    Comm *raw = comm.get();
    comms_[key] = std::move(comm);
    return raw;
  }

  /// Polls the streams with a deadline and NCCL's asynchronous errors; on
  /// timeout aborts the communicators so no rank stays blocked.
  bool wait(const std::vector<Comm *> &comms, const std::string &what, std::string &error) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(timeout_));
    for (;;) {
      bool all = true;
      for (Comm *c : comms) {
        CUresult r = cuda_.streamQuery(c->stream);
        if (r == CUDA_ERROR_NOT_READY) {
          all = false;
          ncclResult_t async = ncclSuccess;
          nccl_.commGetAsyncError(c->comm, &async);
          if (async != ncclSuccess && async != ncclInProgress) {
            error = what + ": NCCL reported " + nccl_.getErrorString(async);
            abortAll();
            return false;
          }
        } else if (!cu(r, "cuStreamQuery", error)) {
          return false;
        }
      }
      if (all)
        return true;
      if (Clock::now() >= deadline) {
        error = what + ": timed out after " + std::to_string(timeout_) +
                " s (DS_COLL_TIMEOUT_S): a rank exited early or never joined";
        abortAll();
        return false;
      }
      sched_yield();
    }
  }

  void abortAll() {
    for (auto &[k, c] : comms_)
      if (c->comm && c->comm != world_)
        nccl_.commAbort(c->comm);
    if (world_)
      nccl_.commAbort(world_);
    world_ = nullptr;
  }

  int32_t p2p(void *buf, int64_t count, int32_t dtype, int peer, bool isSend,
              std::string &error) {
    ncclDataType_t t;
    if (!ncclTypeOf(dtype, t)) {
      error = "NCCL has no 16-bit integer type";
      return DSRT_INVALID_ARGUMENT;
    }
    NcclComm all;
    all.level = "group";
    for (int r = 0; r < size_; ++r)
      all.members.push_back(r);
    Comm *c = getComm(all, error);
    if (!c)
      return fail();
    ncclResult_t r = isSend ? nccl_.send(buf, count, t, peer, c->comm, c->stream)
                            : nccl_.recv(buf, count, t, peer, c->comm, c->stream);
    if (!nc(r, isSend ? "ncclSend" : "ncclRecv", error) ||
        !wait({c}, std::string(isSend ? "send to" : "recv from") + " rank " + std::to_string(peer),
              error))
      return fail();
    return 0;
  }

  CudaApi cuda_;
  NcclApi nccl_;
  Backend *mpi_ = nullptr;
  int rank_ = 0, size_ = 1, deviceCount_ = 0;
  double timeout_ = 300;
  bool failed_ = false;
  ncclComm_t world_ = nullptr;
  Topology topo_;
  std::map<std::vector<int>, int64_t> seq_;
  std::map<std::pair<std::string, std::vector<int>>, std::unique_ptr<Comm>> comms_;
};

} // namespace

extern "C" __attribute__((visibility("default"))) Backend *
dsrt_coll_backend_create(std::string *error) {
  auto b = std::make_unique<NCCLBackend>();
  if (!b->init(*error))
    return nullptr;
  return b.release();
}
