//===- NCCLPlan.h - What the NCCL backend launches for a collective -*- C++ -*-===//
//
// The NCCL backend does not move bytes itself: it maps a collective onto
// NCCL calls on communicators split from the world communicator with
// ncclCommSplit (one per topology level), pipelined in chunks on one CUDA
// stream per level. This file builds that mapping without NCCL or CUDA so
// that it is unit-tested on machines without a GPU.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_COLLECTIVES_NCCL_NCCLPLAN_H
#define DSRT_COLLECTIVES_NCCL_NCCLPLAN_H

#include "../Core.h"

#include <string>
#include <vector>

namespace dsrt::coll {

/// A communicator split from the world communicator: every world rank calls
/// ncclCommSplit(world, color, key) in the order of `NcclPlan::comms`.
struct NcclComm {
  std::string level;        ///< "group", "node", "inter-node", "cluster", ...
  int color = 0;            ///< Smallest world rank of the members.
  int key = 0;              ///< The calling rank's index among `members`.
  std::vector<int> members; ///< World ranks, in key order.
};

enum class NcclOp { AllReduce, ReduceScatter, AllGather, Broadcast, AllToAll };
const char *ncclOpName(NcclOp op);

/// One NCCL call. Offsets and counts are in elements of the working buffer
/// (the receive buffer; the send buffer for all_to_all's sends). For
/// ReduceScatter/AllGather `count` is the per-rank block and `offset` the
/// start of the region of comm-size blocks (NCCL's in-place layout).
struct NcclStep {
  NcclOp op = NcclOp::AllReduce;
  int comm = 0;           ///< Index into NcclPlan::comms (= its stream).
  int64_t offset = 0;
  int64_t count = 0;
  int root = 0;           ///< Broadcast root within the comm.
  int chunk = 0;
  int dependsOn = -1;     ///< Step whose completion this one waits for.
};

struct NcclPlan {
  std::vector<NcclComm> comms;
  std::vector<NcclStep> steps;
  /// NCCL's own algorithm hint for flat plans ("Ring", "Tree"), applied as
  /// NCCL_ALGO when the communicator is created; "" = NCCL chooses.
  std::string ncclAlgo;
  std::string description;
  /// Copy the send buffer into the receive buffer first (in-place steps).
  bool copyInput = false;
};

/// Builds the plan for the calling rank (`group.members[group.index]`).
NcclPlan buildNcclPlan(Kind kind, const Group &group, int64_t count,
                       int32_t algorithm, int64_t root,
                       const Topology &topology, const PlanOptions &options);

} // namespace dsrt::coll

#endif
