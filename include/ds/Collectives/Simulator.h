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
//  * A hierarchical plan is pipelined in `chunks`: every step of every stage
//    is a position a chunk passes through (a step's repetitions stay
//    together), as a segmented tree's hops are. A discrete-event, fluid
//    simulation runs each (position, chunk) as a latency phase followed by
//    a transfer phase; a chunk enters a position when it has left the
//    previous one and the previous chunk has left this one. Concurrent
//    transfers share each resource (the intra-node ports, the network
//    ports, the uplinks of a level) max-min fairly with equal bandwidth per
//    flow, as a port is shared within a step.
//
//===----------------------------------------------------------------------===//
#ifndef DS_COLLECTIVES_SIMULATOR_H
#define DS_COLLECTIVES_SIMULATOR_H

#include "ds/Collectives/Schedule.h"

#include <map>

namespace ds::sched {

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

} // namespace ds::sched

#endif // DS_COLLECTIVES_SIMULATOR_H
