//===- Core.h - Collective groups, reductions and step plans ----*- C++ -*-===//
//
// The backend-independent part of the collective runtime:
//  * rank groups from (mesh, axes) as the ABI defines them;
//  * element-wise reductions for every dsrt dtype;
//  * "step plans": an algorithm (ring, binomial tree, Rabenseifner, 2- and
//    3-level hierarchical, pipelined in chunks) compiled, for one rank, into
//    rounds of point-to-point transfers on one working buffer. Backends
//    (MPI, a simulator in the unit tests) execute plans; the plan builders are
//    the single implementation of ds's algorithms.
//
// Nothing here is part of the public ABI.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_COLLECTIVES_CORE_H
#define DSRT_COLLECTIVES_CORE_H

#include "dsrt/collectives.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dsrt::coll {

enum class Kind { AllReduce, AllGather, ReduceScatter, AllToAll, Broadcast };
const char *kindName(Kind kind);
const char *algorithmName(int32_t algorithm);
const char *reductionName(int32_t reduction);

/// Bytes per element of a dsrt dtype code; 0 if the code is unknown.
size_t dtypeSize(int32_t dtype);

/// The calling rank's group: world ranks in group-index order.
struct Group {
  std::vector<int> members;
  int index = 0; ///< Position of the calling rank in `members`.
  int size() const { return static_cast<int>(members.size()); }
};

/// Computes the group of `worldRank` for a collective over `axes` of a
/// row-major mesh. Fails (false, `error` set) when the mesh does not cover
/// `worldSize` ranks or the axes are out of range or repeated.
bool computeGroup(int worldRank, int worldSize, const int64_t *meshShape,
                  int32_t meshNdim, const int32_t *axes, int32_t numAxes,
                  Group &group, std::string &error);

/// dst[i] = dst[i] (op) src[i] for `count` elements of `dtype`.
/// Returns false for an unsupported (dtype, reduction) pair.
bool reduceInto(void *dst, const void *src, int64_t count, int32_t dtype,
                int32_t reduction);
/// Whether `reduceInto` supports the pair.
bool reductionSupported(int32_t dtype, int32_t reduction);

/// Where a transfer reads from: the working buffer, or (all_to_all only)
/// the caller's send buffer.
enum class Buf : uint8_t { Work = 0, Input = 1 };

/// One point-to-point transfer of `count` elements at element `offset`.
struct Xfer {
  int peer = 0; ///< World rank.
  Buf buf = Buf::Work;
  int64_t offset = 0;
  int64_t count = 0;
  bool reduce = false; ///< Receives only: combine into the work buffer.
  bool operator==(const Xfer &o) const {
    return peer == o.peer && buf == o.buf && offset == o.offset &&
           count == o.count && reduce == o.reduce;
  }
};

/// One round: all receives and sends are posted together and completed
/// before the next round starts. Within a plan, the sequence of messages a
/// rank sends to a peer equals the sequence the peer receives from it.
struct Round {
  std::vector<Xfer> sends;
  std::vector<Xfer> recvs;
  bool empty() const { return sends.empty() && recvs.empty(); }
};

/// How ranks sit in the machine, for hierarchical algorithms: for every
/// world rank its node, and its cluster (a group of nodes; -1 when the
/// topology has no cluster level).
struct Topology {
  std::vector<int> nodeOf;
  std::vector<int> clusterOf;
};

struct Plan {
  std::vector<Round> rounds;
  /// Elements of the working buffer the plan addresses.
  int64_t workElems = 0;
  /// The algorithm actually used (after fallbacks) and why, e.g.
  /// "hier2(levels=2x2,chunks=4)" or "ring (hier2: non-uniform nodes)".
  std::string description;
  int32_t algorithm = DSRT_ALGO_RING;
  /// Largest sum of reducing receives in one round: scratch the executor
  /// needs.
  int64_t maxTempElems() const;
  int64_t numMessages() const;
};

/// Options that do not change results, only performance.
struct PlanOptions {
  /// Number of chunks the buffer is cut into and pipelined through the
  /// phases (tree and hierarchical algorithms). 0 = automatic from the size.
  int chunks = 0;
  /// Bytes per element (for the automatic chunk count).
  size_t elemSize = 4;
};

/// Builds the plan for the calling rank. The working-buffer layout:
///  * AllReduce: `count` elements, the reduced vector in place;
///  * AllGather: n*count, this rank's chunk at index*count beforehand;
///  * ReduceScatter: n*count (a copy of the input); afterwards the chunk at
///    index*count holds the result;
///  * AllToAll: n*count output; sends read the input buffer;
///  * Broadcast: `count` elements, root's data in place.
/// AUTO and unsupported (collective, algorithm) pairs fall back to a stated
/// algorithm (see `Plan::description`); NATIVE is not a plan.
Plan buildPlan(Kind kind, const Group &group, int64_t count, int32_t algorithm,
               int64_t root, const Topology &topology,
               const PlanOptions &options = {});

/// Executes the plans of every rank of one group in one process, moving
/// bytes between their buffers (the unit tests' transport). `work[r]` is
/// rank r's working buffer, `input[r]` its input. Returns "" on success or
/// a message (deadlock, mismatched message sizes, bad reduction).
std::string simulate(const std::vector<Plan> &plans,
                     const std::vector<int> &worldRanks,
                     std::vector<std::vector<char>> &work,
                     const std::vector<std::vector<char>> &input,
                     int32_t dtype, int32_t reduction);

} // namespace dsrt::coll

#endif // DSRT_COLLECTIVES_CORE_H
