//===- Internal.h - shared between plan building and simulation -*- C++ -*-===//
#ifndef DS_LIB_COLLECTIVES_INTERNAL_H
#define DS_LIB_COLLECTIVES_INTERNAL_H

#include "ds/Collectives/Schedule.h"
#include "ds/Collectives/Simulator.h"

#include <map>

namespace ds::coll::detail {

/// Price of one step: latency (its own, or the largest alpha of its flows)
/// and transfer (the longest flow under bandwidth sharing).
struct StepPrice {
  double latency = 0;
  double transfer = 0;
  /// Per resource (see StageTiming::demand): the step's time if only that
  /// resource limited its flows.
  std::map<int, double> demand;
};

StepPrice priceStep(const topo::Topology &t, const Step &s);

/// Latency and transfer of a whole stage (sum over steps x repeat).
StageTiming priceStage(const topo::Topology &t, const Stage &s);

/// Makespan of stages pipelined in `chunks` (fluid discrete-event model).
double pipelineSeconds(const std::vector<StageTiming> &stages, int64_t chunks);

} // namespace ds::coll::detail

#endif // DS_LIB_COLLECTIVES_INTERNAL_H
