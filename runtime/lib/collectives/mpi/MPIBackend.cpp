//===- MPIBackend.cpp - Collectives over MPI point-to-point --------------===//
//
// libdsrt_coll_mpi.so: executes ds's step plans (Core.h) with non-blocking
// MPI point-to-point messages, or calls MPI's own collectives for
// DSRT_ALGO_NATIVE. Loaded by libdsrt with dlopen when the process runs
// under mpirun, so libdsrt itself never needs MPI.
//
// Failure handling (docs/runtime-collectives.md):
//  * every wait polls with a deadline: DS_COLL_TIMEOUT_S seconds without
//    progress (default 300) end the call with a message naming the ranks
//    that did not answer;
//  * before each collective the group members exchange a small descriptor
//    (sequence number, collective, count, dtype, reduction, algorithm, root
//    and whether scratch memory could be allocated), so a mismatched
//    collective or an out-of-memory rank fails on every rank with the same
//    message (DS_COLL_CHECK=0 turns the exchange off);
//  * blocking steps MPI offers no deadline for (MPI_Init, communicator
//    creation, MPI_Finalize) run under a watchdog that ends the process
//    with a message and exit status 124;
//  * after a failure the backend refuses further calls; after a timeout or
//    a communication failure the process does not call MPI_Finalize at exit
//    (it could block on a dead peer), so mpirun ends the other ranks.
//
//===----------------------------------------------------------------------===//
#include "../Backend.h"

#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <sched.h>
#include <signal.h>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace dsrt::coll;

namespace {

using Clock = std::chrono::steady_clock;

double envSeconds(const char *name, double dflt) {
  const char *v = std::getenv(name);
  if (!v || !*v)
    return dflt;
  char *end = nullptr;
  double d = std::strtod(v, &end);
  return (end && *end == 0 && d > 0) ? d : dflt;
}

int envInt(const char *name, int dflt) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoi(v) : dflt;
}

/// Ends the process if an armed step does not finish in time.
class Watchdog {
public:
  Watchdog() : thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(std::string what, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    what_ = std::move(what);
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(seconds));
    seconds_ = seconds;
    armed_ = true;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
  }

private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ &&
          Clock::now() >= deadline_) {
        std::fprintf(stderr,
                     "dsrt: %s did not complete within %g s (DS_COLL_TIMEOUT_S): "
                     "a rank exited early or never joined; exiting\n",
                     what_.c_str(), seconds_);
        std::fflush(stderr);
        _exit(124);
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, armed_ = false;
  std::string what_;
  double seconds_ = 0;
  Clock::time_point deadline_;
  std::thread thread_;
};

/// The descriptor exchanged before each collective.
struct Desc {
  uint64_t seq;
  int64_t count;
  int64_t root;
  int64_t scratchBytes;
  int32_t kind;
  int32_t dtype;
  int32_t reduction;
  int32_t algorithm;
  int32_t allocOk;
  int32_t groupSize;
};

std::string describe(const Desc &d) {
  std::ostringstream os;
  os << kindName(static_cast<Kind>(d.kind)) << "(count=" << d.count
     << ", dtype=" << d.dtype;
  if (d.kind == static_cast<int>(Kind::AllReduce) ||
      d.kind == static_cast<int>(Kind::ReduceScatter))
    os << ", " << reductionName(d.reduction);
  if (d.kind == static_cast<int>(Kind::Broadcast))
    os << ", root=" << d.root;
  os << ", " << algorithmName(d.algorithm) << ", group of " << d.groupSize
     << ", call #" << d.seq << ")";
  return os.str();
}

bool sameCall(const Desc &a, const Desc &b) {
  return a.seq == b.seq && a.count == b.count && a.root == b.root &&
         a.kind == b.kind && a.dtype == b.dtype && a.reduction == b.reduction &&
         a.algorithm == b.algorithm && a.groupSize == b.groupSize;
}

std::string rankList(const std::vector<int> &ranks) {
  std::string s;
  for (size_t i = 0; i < ranks.size(); ++i)
    s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

/// What this rank is doing, for the SIGTERM note (written before each
/// collective; the handler only reads it).
char gActivity[512] = "";

/// mpirun ends the surviving ranks with SIGTERM when one rank fails; say so
/// on each of them so that every rank's log explains its end.
void onTerm(int sig) {
  ssize_t ignored = write(2, gActivity, strnlen(gActivity, sizeof(gActivity)));
  (void)ignored;
  signal(sig, SIG_DFL);
  raise(sig);
}

void setActivity(int rank, const char *what) {
  std::snprintf(gActivity, sizeof(gActivity),
                "dsrt: rank %d: terminated by the launcher %s (another rank "
                "failed or exited early)\n",
                rank, what);
}

template <int Dtype, int Red>
void userReduce(void *in, void *inout, int *len, MPI_Datatype *) {
  reduceInto(inout, in, *len, Dtype, Red);
}

class MPIBackend final : public Backend {
public:
  bool init(std::string &error) {
    timeout_ = envSeconds("DS_COLL_TIMEOUT_S", 300);
    check_ = envInt("DS_COLL_CHECK", 1) != 0;
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
      watchdog_.arm("MPI_Init", timeout_);
      int provided = 0;
      int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      watchdog_.disarm();
      if (rc != MPI_SUCCESS) {
        error = "MPI_Init failed";
        return false;
      }
      ownsMPI_ = true;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    watchdog_.arm("communicator setup", timeout_);
    MPI_Comm_dup(MPI_COMM_WORLD, &ctrl_);
    MPI_Comm_dup(MPI_COMM_WORLD, &data_);
    MPI_Comm_dup(MPI_COMM_WORLD, &p2p_);
    for (MPI_Comm c : {ctrl_, data_, p2p_})
      MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN);
    void *tagUb = nullptr;
    int flag = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tagUb, &flag);
    tagUb_ = flag ? *static_cast<int *>(tagUb) : 32767;
    discoverTopology();
    watchdog_.disarm();
    setActivity(rank_, "outside collectives");
    struct sigaction old;
    if (sigaction(SIGTERM, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
      signal(SIGTERM, onTerm);
    // Types and ops for the native path.
    MPI_Type_contiguous(2, MPI_BYTE, &f16_);
    MPI_Type_commit(&f16_);
    MPI_Type_contiguous(2, MPI_BYTE, &bf16_);
    MPI_Type_commit(&bf16_);
    createOps<DSRT_F16>(opF16_);
    createOps<DSRT_BF16>(opBF16_);
    return true;
  }

  const char *name() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  /// Called at exit: finalize unless a peer may be gone (a timeout or a
  /// communication failure), where MPI_Finalize could block; mpirun ends the
  /// others instead. After errors every rank agreed on (mismatch, out of
  /// memory) finalizing is safe, and its fence lets every rank report.
  void shutdown() {
    if (!ownsMPI_ || peerLost_)
      return;
    int fin = 0;
    MPI_Finalized(&fin);
    if (fin)
      return;
    watchdog_.arm("MPI_Finalize", timeout_);
    MPI_Finalize();
    watchdog_.disarm();
  }

  int32_t collective(const Call &call, std::string &error) override {
    if (failed_) {
      error = "an earlier collective failed (" + firstError_ + "); the backend is unusable";
      return DSRT_INTERNAL;
    }
    std::string what = std::string("while in ") + kindName(call.kind) + " (call #" +
                       std::to_string(seq_[call.group.members] + 1) + " in group [" +
                       rankList(call.group.members) + "])";
    setActivity(rank_, what.c_str());
    int32_t st = run(call, error);
    setActivity(rank_, "outside collectives");
    if (st) {
      failed_ = true;
      firstError_ = error;
      if (envInt("DS_COLL_ABORT", 0)) {
        std::fprintf(stderr, "dsrt: rank %d: %s\n", rank_, error.c_str());
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    }
    return st;
  }

  int32_t send(const void *buf, int64_t count, int32_t dtype, int peer,
               int32_t tag, std::string &error) override {
    return p2p(const_cast<void *>(buf), count, dtype, peer, tag, true, error);
  }
  int32_t recv(void *buf, int64_t count, int32_t dtype, int peer, int32_t tag,
               std::string &error) override {
    return p2p(buf, count, dtype, peer, tag, false, error);
  }

private:
  template <int D> void createOps(MPI_Op (&ops)[4]) {
    MPI_Op_create(&userReduce<D, DSRT_RED_SUM>, 1, &ops[0]);
    MPI_Op_create(&userReduce<D, DSRT_RED_PROD>, 1, &ops[1]);
    MPI_Op_create(&userReduce<D, DSRT_RED_MAX>, 1, &ops[2]);
    MPI_Op_create(&userReduce<D, DSRT_RED_MIN>, 1, &ops[3]);
  }

  /// Node of every rank: DS_COLL_RANKS_PER_NODE=k groups consecutive ranks
  /// (for emulated nodes, e.g. network namespaces on one host); otherwise
  /// the ranks that share memory (MPI_COMM_TYPE_SHARED). Clusters:
  /// DS_COLL_NODES_PER_CLUSTER=k groups consecutive nodes.
  void discoverTopology() {
    topo_.nodeOf.assign(size_, 0);
    int perNode = envInt("DS_COLL_RANKS_PER_NODE", 0);
    if (perNode > 0) {
      for (int r = 0; r < size_; ++r)
        topo_.nodeOf[r] = r / perNode;
    } else {
      MPI_Comm node;
      MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_,
                          MPI_INFO_NULL, &node);
      int leader = rank_;
      MPI_Allreduce(MPI_IN_PLACE, &leader, 1, MPI_INT, MPI_MIN, node);
      MPI_Comm_free(&node);
      MPI_Allgather(&leader, 1, MPI_INT, topo_.nodeOf.data(), 1, MPI_INT,
                    MPI_COMM_WORLD);
      std::map<int, int> dense;
      for (int &n : topo_.nodeOf)
        n = dense.emplace(n, static_cast<int>(dense.size())).first->second;
    }
    int perCluster = envInt("DS_COLL_NODES_PER_CLUSTER", 0);
    if (perCluster > 0)
      for (int r = 0; r < size_; ++r)
        topo_.clusterOf.push_back(topo_.nodeOf[r] / perCluster);
  }

  /// Polls `reqs` until all complete; a deadline of DS_COLL_TIMEOUT_S runs
  /// from the last completion. On timeout names the peers still pending.
  bool waitAll(std::vector<MPI_Request> &reqs, const std::vector<int> &peers,
               const std::string &what, std::string &error) {
    if (reqs.empty())
      return true;
    auto limit = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(timeout_));
    auto deadline = Clock::now() + limit;
    size_t pending = reqs.size();
    long spins = 0;
    while (pending) {
      size_t before = pending;
      pending = 0;
      for (MPI_Request &r : reqs) {
        if (r == MPI_REQUEST_NULL)
          continue;
        int done = 0;
        MPI_Status status;
        if (MPI_Test(&r, &done, &status) != MPI_SUCCESS) {
          peerLost_ = true;
          error = what + ": MPI reported a communication failure";
          return false;
        }
        if (!done)
          ++pending;
      }
      if (!pending)
        break;
      if (pending != before) {
        deadline = Clock::now() + limit;
        spins = 0;
        continue;
      }
      if (Clock::now() >= deadline) {
        peerLost_ = true;
        std::vector<int> missing;
        for (size_t i = 0; i < reqs.size(); ++i)
          if (reqs[i] != MPI_REQUEST_NULL &&
              std::find(missing.begin(), missing.end(), peers[i]) == missing.end())
            missing.push_back(peers[i]);
        std::ostringstream os;
        os << what << ": timed out after " << timeout_
           << " s (DS_COLL_TIMEOUT_S) waiting for ";
        if (missing.size() == 1 && missing[0] < 0)
          os << "the other ranks of the group";
        else
          os << "rank" << (missing.size() > 1 ? "s " : " ") << rankList(missing);
        os
           << ": a rank exited early, never joined, or called a different collective";
        error = os.str();
        return false;
      }
      if (++spins > 2000)
        usleep(50);
      else
        sched_yield();
    }
    return true;
  }

  bool bytesFit(int64_t count, size_t es, int &bytes, std::string &error) {
    int64_t b = count * static_cast<int64_t>(es);
    if (b > INT_MAX) {
      error = "a message of " + std::to_string(b) +
              " bytes exceeds the MPI backend's 2 GiB per-message limit";
      return false;
    }
    bytes = static_cast<int>(b);
    return true;
  }

  /// Descriptor exchange with every other group member.
  bool agree(const Call &call, const Desc &mine, std::string &error) {
    const Group &g = call.group;
    std::vector<Desc> theirs(g.size());
    std::vector<MPI_Request> reqs;
    std::vector<int> peers;
    for (int i = 0; i < g.size(); ++i) {
      if (i == g.index)
        continue;
      reqs.emplace_back();
      peers.push_back(g.members[i]);
      MPI_Irecv(&theirs[i], sizeof(Desc), MPI_BYTE, g.members[i], 1, ctrl_, &reqs.back());
    }
    for (int i = 0; i < g.size(); ++i) {
      if (i == g.index)
        continue;
      reqs.emplace_back();
      peers.push_back(g.members[i]);
      MPI_Isend(&mine, sizeof(Desc), MPI_BYTE, g.members[i], 1, ctrl_, &reqs.back());
    }
    std::string what = std::string(kindName(call.kind)) + " (call #" +
                       std::to_string(mine.seq) + " in group [" +
                       rankList(g.members) + "])";
    if (!waitAll(reqs, peers, what, error))
      return false;
    theirs[g.index] = mine;
    for (int i = 0; i < g.size(); ++i)
      if (!sameCall(theirs[i], mine)) {
        error = "collective mismatch in group [" + rankList(g.members) +
                "]: rank " + std::to_string(rank_) + " called " + describe(mine) +
                " but rank " + std::to_string(g.members[i]) + " called " +
                describe(theirs[i]);
        return false;
      }
    for (int i = 0; i < g.size(); ++i)
      if (!theirs[i].allocOk) {
        error = "out of memory: rank " + std::to_string(g.members[i]) +
                " could not allocate " + std::to_string(theirs[i].scratchBytes) +
                " bytes of scratch memory for " + describe(theirs[i]);
        return false;
      }
    return true;
  }

  uint64_t nextSeq(const Group &g) { return ++seq_[g.members]; }

  int32_t run(const Call &call, std::string &error) {
    const Group &g = call.group;
    size_t es = dtypeSize(call.dtype);
    int n = g.size();
    bool native = call.algorithm == DSRT_ALGO_NATIVE;
    PlanOptions opt;
    opt.elemSize = es;
    opt.chunks = envInt("DS_COLL_CHUNKS", 0);
    Plan plan;
    if (!native)
      plan = buildPlan(call.kind, g, call.count, call.algorithm, call.root, topo_, opt);
    // Scratch: reducing receives, plus the reduce-scatter working copy.
    int64_t scratchElems = native ? 0 : plan.maxTempElems();
    if (call.kind == Kind::ReduceScatter && !native)
      scratchElems += call.count * n;
    size_t scratchBytes = static_cast<size_t>(scratchElems) * es;
    std::unique_ptr<char, void (*)(void *)> scratch(
        scratchBytes ? static_cast<char *>(std::malloc(scratchBytes)) : nullptr, std::free);
    bool allocOk = scratchBytes == 0 || scratch != nullptr;
    if (std::getenv("DS_COLL_DEBUG") && rank_ == 0 && !native)
      std::fprintf(stderr, "dsrt: %s count=%lld plan=%s rounds=%zu\n",
                   kindName(call.kind), static_cast<long long>(call.count),
                   plan.description.c_str(), plan.rounds.size());
    Desc mine{};
    mine.seq = nextSeq(g);
    mine.count = call.count;
    mine.root = call.root;
    mine.scratchBytes = static_cast<int64_t>(scratchBytes);
    mine.kind = static_cast<int32_t>(call.kind);
    mine.dtype = call.dtype;
    mine.reduction = (call.kind == Kind::AllReduce || call.kind == Kind::ReduceScatter)
                         ? call.reduction : 0;
    mine.algorithm = call.algorithm;
    mine.allocOk = allocOk;
    mine.groupSize = n;
    if (check_ && n > 1) {
      if (!agree(call, mine, error))
        return DSRT_INTERNAL;
    } else if (!allocOk) {
      error = "out of memory: could not allocate " + std::to_string(scratchBytes) +
              " bytes of scratch memory for " + describe(mine);
      return DSRT_INTERNAL;
    }
    if (native)
      return runNative(call, error);

    // Prologue: the working buffer and the local part of the data.
    int64_t cnt = call.count;
    char *recv = static_cast<char *>(call.recv);
    const char *send = static_cast<const char *>(call.send);
    auto [work, temp] = prepareLocalData(call, scratch.get());
    std::string what = std::string(kindName(call.kind)) + " [" + plan.description + "]";
    std::vector<MPI_Request> reqs;
    std::vector<int> peers;
    std::vector<std::pair<const Xfer *, char *>> reductions;
    for (size_t k = 0; k < plan.rounds.size(); ++k) {
      const Round &round = plan.rounds[k];
      reqs.clear();
      peers.clear();
      reductions.clear();
      char *t = temp;
      for (const Xfer &x : round.recvs) {
        int bytes;
        if (!bytesFit(x.count, es, bytes, error))
          return DSRT_INVALID_ARGUMENT;
        char *dst = work + x.offset * es;
        if (x.reduce) {
          reductions.push_back({&x, t});
          dst = t;
          t += x.count * es;
        }
        reqs.emplace_back();
        peers.push_back(x.peer);
        MPI_Irecv(dst, bytes, MPI_BYTE, x.peer, 2, data_, &reqs.back());
      }
      for (const Xfer &x : round.sends) {
        int bytes;
        if (!bytesFit(x.count, es, bytes, error))
          return DSRT_INVALID_ARGUMENT;
        const char *src = (x.buf == Buf::Input ? send : work) + x.offset * es;
        reqs.emplace_back();
        peers.push_back(x.peer);
        MPI_Isend(src, bytes, MPI_BYTE, x.peer, 2, data_, &reqs.back());
      }
      if (!waitAll(reqs, peers, what + " round " + std::to_string(k + 1) + "/" +
                                     std::to_string(plan.rounds.size()), error))
        return DSRT_INTERNAL;
      for (auto &[x, buf] : reductions)
        reduceInto(work + x->offset * es, buf, x->count, call.dtype, call.reduction);
    }
    if (call.kind == Kind::ReduceScatter && cnt)
      std::memcpy(recv, work + g.index * cnt * es, cnt * es);
    return 0;
  }

  MPI_Datatype mpiType(int32_t dtype) {
    switch (dtype) {
    case DSRT_F32: return MPI_FLOAT;
    case DSRT_F64: return MPI_DOUBLE;
    case DSRT_I8: return MPI_INT8_T;
    case DSRT_U8: case DSRT_BOOL: return MPI_UINT8_T;
    case DSRT_I16: return MPI_INT16_T;
    case DSRT_U16: return MPI_UINT16_T;
    case DSRT_I32: return MPI_INT32_T;
    case DSRT_U32: return MPI_UINT32_T;
    case DSRT_I64: return MPI_INT64_T;
    case DSRT_U64: return MPI_UINT64_T;
    case DSRT_F16: return f16_;
    case DSRT_BF16: return bf16_;
    }
    return MPI_DATATYPE_NULL;
  }

  MPI_Op mpiOp(int32_t dtype, int32_t red) {
    if (dtype == DSRT_F16)
      return opF16_[red];
    if (dtype == DSRT_BF16)
      return opBF16_[red];
    if (dtype == DSRT_BOOL) // logical or / and on 0/1 bytes
      return (red == DSRT_RED_SUM || red == DSRT_RED_MAX) ? MPI_MAX : MPI_MIN;
    switch (red) {
    case DSRT_RED_SUM: return MPI_SUM;
    case DSRT_RED_PROD: return MPI_PROD;
    case DSRT_RED_MAX: return MPI_MAX;
    default: return MPI_MIN;
    }
  }

  /// The group's communicator, created on first use with
  /// MPI_Comm_create_group (collective over the group only) and cached.
  MPI_Comm groupComm(const Group &g) {
    auto it = comms_.find(g.members);
    if (it != comms_.end())
      return it->second;
    MPI_Group world, grp;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    MPI_Group_incl(world, g.size(), g.members.data(), &grp);
    MPI_Comm comm = MPI_COMM_NULL;
    watchdog_.arm("creating the communicator of group [" + rankList(g.members) + "]", timeout_);
    MPI_Comm_create_group(MPI_COMM_WORLD, grp, 3, &comm);
    watchdog_.disarm();
    MPI_Group_free(&grp);
    MPI_Group_free(&world);
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    comms_[g.members] = comm;
    return comm;
  }

  int32_t runNative(const Call &call, std::string &error) {
    if (call.count > INT_MAX) {
      error = "count exceeds MPI's int range";
      return DSRT_INVALID_ARGUMENT;
    }
    const Group &g = call.group;
    MPI_Comm comm = groupComm(g);
    MPI_Datatype t = mpiType(call.dtype);
    int c = static_cast<int>(call.count);
    MPI_Request req = MPI_REQUEST_NULL;
    const void *send = call.send == call.recv ? MPI_IN_PLACE : call.send;
    int rc = MPI_SUCCESS;
    switch (call.kind) {
    case Kind::AllReduce:
      rc = MPI_Iallreduce(send, call.recv, c, t, mpiOp(call.dtype, call.reduction), comm, &req);
      break;
    case Kind::AllGather:
      rc = MPI_Iallgather(call.send, c, t, call.recv, c, t, comm, &req);
      break;
    case Kind::ReduceScatter:
      rc = MPI_Ireduce_scatter_block(call.send, call.recv, c, t,
                                     mpiOp(call.dtype, call.reduction), comm, &req);
      break;
    case Kind::AllToAll:
      rc = MPI_Ialltoall(call.send, c, t, call.recv, c, t, comm, &req);
      break;
    case Kind::Broadcast:
      rc = MPI_Ibcast(call.recv, c, t, static_cast<int>(call.root), comm, &req);
      break;
    }
    if (rc != MPI_SUCCESS) {
      error = "MPI failed to start the native collective";
      return DSRT_INTERNAL;
    }
    std::vector<MPI_Request> reqs{req};
    std::vector<int> peers{-1};
    if (!waitAll(reqs, peers, std::string(kindName(call.kind)) + " [native MPI]", error))
      return DSRT_INTERNAL;
    return 0;
  }

  int32_t p2p(void *buf, int64_t count, int32_t dtype, int peer, int32_t tag,
              bool isSend, std::string &error) {
    if (failed_) {
      error = "an earlier collective failed (" + firstError_ + "); the backend is unusable";
      return DSRT_INTERNAL;
    }
    if (tag < 0 || tag > tagUb_) {
      error = "tag " + std::to_string(tag) + " is outside MPI's range [0, " +
              std::to_string(tagUb_) + "]";
      return DSRT_INVALID_ARGUMENT;
    }
    int bytes;
    if (!bytesFit(count, dtypeSize(dtype), bytes, error))
      return DSRT_INVALID_ARGUMENT;
    std::vector<MPI_Request> reqs(1);
    if (isSend)
      MPI_Isend(buf, bytes, MPI_BYTE, peer, tag, p2p_, &reqs[0]);
    else
      MPI_Irecv(buf, bytes, MPI_BYTE, peer, tag, p2p_, &reqs[0]);
    std::string what = std::string(isSend ? "send to" : "recv from") + " rank " +
                       std::to_string(peer) + " (tag " + std::to_string(tag) + ")";
    if (!waitAll(reqs, {peer}, what, error)) {
      failed_ = true;
      firstError_ = error;
      return DSRT_INTERNAL;
    }
    return 0;
  }

  Watchdog watchdog_;
  int rank_ = 0, size_ = 1, tagUb_ = 32767;
  double timeout_ = 300;
  bool check_ = true, ownsMPI_ = false, failed_ = false, peerLost_ = false;
  std::string firstError_;
  MPI_Comm ctrl_ = MPI_COMM_NULL, data_ = MPI_COMM_NULL, p2p_ = MPI_COMM_NULL;
  MPI_Datatype f16_ = MPI_DATATYPE_NULL, bf16_ = MPI_DATATYPE_NULL;
  MPI_Op opF16_[4], opBF16_[4];
  Topology topo_;
  std::map<std::vector<int>, uint64_t> seq_;
  std::map<std::vector<int>, MPI_Comm> comms_;
};

MPIBackend *instance = nullptr;

void atExit() {
  if (instance)
    instance->shutdown();
}

} // namespace

extern "C" __attribute__((visibility("default"))) Backend *
dsrt_coll_backend_create(std::string *error) {
  auto b = std::make_unique<MPIBackend>();
  if (!b->init(*error))
    return nullptr;
  instance = b.release();
  std::atexit(atExit);
  return instance;
}
