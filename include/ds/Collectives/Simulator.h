//===- Simulator.h - Step simulation of collective plans --------*- C++ -*-===//
//
// Prices a Plan on a Topology:
//
//  * Within a step every flow gets a bandwidth share (max-min style, one
//    pass): a rank's port at a level is divided among the flows that leave
//    (and, separately, enter) it at that level (all levels above 0 share the
//    rank's network port), and the uplink of a group of level l-1 is divided
//    among all flows that leave (enter) the group, with capacity
//    (ranks in group * beta_l) / oversubscription_l. A step costs its
//    latency plus the longest flow's bytes / share.
//  * Identical steps are priced once and multiplied (a ring's 2(p-1) steps
//    are one step repeated): this symmetry is what lets 4096 x 8 ranks run
//    in about a second.
//  * Stages of a hierarchical plan are pipelined in `chunks`: a
//    discrete-event, fluid simulation runs each (stage, chunk) as a latency
//    phase followed by a transfer phase. Concurrent transfers share each
//    resource (the intra-node ports, the network ports, the uplinks of a
//    level) by max-min fair rates, each task loading a resource in
//    proportion to its demand on it; a
//    chunk enters a stage when it has left the previous stage and the
//    previous chunk has left this one.
//
//===----------------------------------------------------------------------===//
#ifndef DS_COLLECTIVES_SIMULATOR_H
#define DS_COLLECTIVES_SIMULATOR_H

#include "ds/Collectives/Schedule.h"

#include <map>

namespace ds::coll {

struct StageTiming {
  std::string what;
  double latency = 0;  ///< sum of step latencies (one chunk pays all of it)
  double transfer = 0; ///< sum of step transfer times for the whole buffer
  /// Per resource, the transfer time if only that resource limited the
  /// flows: 0 the intra-node ports, 1 the network ports, 1 + l the
  /// oversubscribed uplinks into level l.
  std::map<int, double> demand;
};

struct SimResult {
  double seconds = 0;
  std::vector<StageTiming> stages;
  int64_t flowsPriced = 0; ///< distinct flows evaluated (cost of the run)
};

SimResult simulate(const topo::Topology &t, const Plan &plan);

} // namespace ds::coll

#endif // DS_COLLECTIVES_SIMULATOR_H
