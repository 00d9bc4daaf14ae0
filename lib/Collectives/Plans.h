//===- Plans.h - building blocks of collective plans ------------*- C++ -*-===//
#ifndef DS_LIB_COLLECTIVES_PLANS_H
#define DS_LIB_COLLECTIVES_PLANS_H

#include "ds/Collectives/Schedule.h"

namespace ds::coll::detail {

using Groups = std::vector<std::vector<int64_t>>;

bool isPow2(int64_t x);
int log2Floor(int64_t x);
int log2Ceil(int64_t x);

/// Nodes in rank order, or (rankOrder = false) grouped so that every group
/// of every middle level is visited contiguously.
std::vector<int64_t> nodeOrder(const topo::Topology &t, bool rankOrder);
double meanHopLatency(const topo::Topology &t, const Groups &groups, bool closed);

Step ringStep(const topo::Topology &t, const Groups &groups, double bytes, int64_t repeat);
Groups channelRings(const topo::Topology &t, const std::vector<int64_t> &order,
                    int64_t channels);
void halvingSteps(const Groups &groups, double bytes, std::vector<Step> &steps);
void doublingSteps(const Groups &groups, double outBytes, std::vector<Step> &steps);
void rabenseifnerSteps(const Groups &groups, double bytes, std::vector<Step> &steps);

int64_t treeParent(int64_t i, int64_t m);
int64_t treeHeight(int64_t m);
std::vector<std::pair<int64_t, int64_t>> treeEdges(int64_t m, int which);
double treePathLatency(const topo::Topology &t, const std::vector<int64_t> &g);
void treeSteps(const topo::Topology &t, const Groups &groups, double bytes, int64_t segments,
               bool reduce, std::vector<Step> &steps);
int64_t bestSegments(int64_t depth, double alpha, double transferAllAtOnce, double bytes);
int64_t chooseTreeSegments(const topo::Topology &t, const Groups &groups, double bytes);

Groups nodeGroups(const topo::Topology &t);
Groups railGroups(const topo::Topology &t, const std::vector<int64_t> &order);

Stage innerAllReduce(const topo::Topology &t, const Groups &groups, double bytes, int level,
                     const std::string &where, std::string &choice);
Stage innerReduceScatter(const topo::Topology &t, const Groups &groups, double bytes,
                         int level, const std::string &where, bool gather);

/// Options the NCCL model needs: its rings and trees follow rank order.
struct PlanOptions {
  int64_t chunks = 0; ///< 0: choose
  bool rankOrder = false;
};

std::optional<Plan> buildPlanWith(const topo::Topology &t, CollectiveKind kind, Algorithm algo,
                                  uint64_t bytes, const PlanOptions &opts, std::string &whyNot);

} // namespace ds::coll::detail

#endif // DS_LIB_COLLECTIVES_PLANS_H
