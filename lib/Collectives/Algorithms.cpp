//===- Algorithms.cpp - plans for every collective and algorithm ----------===//
#include "Internal.h"
#include "Plans.h"

#include <algorithm>
#include <map>

namespace ds::coll {
namespace detail {
namespace {

using topo::Topology;

std::string n2s(int64_t v) { return std::to_string(v); }

/// The flat ring: one channel per device of a node (each leaving the node
/// through a different device), or one channel for one device per node.
int64_t ringChannels(const Topology &t) { return t.devicesPerNode; }

/// Pipelined chain + double binary tree (NCCL's tree): within a node a chain
/// through the devices, across nodes a double binary tree among the chain
/// heads. 2 x devices channels: each device heads one channel of each tree.
void flatTree(const Topology &t, const std::vector<int64_t> &order, double bytes, bool reduce,
              Plan &plan) {
  const int64_t D = t.devicesPerNode, m = static_cast<int64_t>(order.size());
  if (m == 1 || D == 1) {
    // One level only: a double binary tree over all ranks.
    Groups g(1);
    for (int64_t n : order)
      for (int64_t d = 0; d < D; ++d)
        g[0].push_back(n * D + d);
    Stage s;
    s.level = t.levelBetween(g[0][0], g[0].back());
    int64_t k = chooseTreeSegments(t, g, bytes);
    treeSteps(t, g, bytes, k, reduce, s.steps);
    s.what = std::string(reduce ? "all-reduce" : "broadcast") + " (double binary tree, " +
             n2s(static_cast<int64_t>(g[0].size())) + " ranks, " + n2s(k) + " segments)";
    plan.segments = k;
    plan.stages.push_back(std::move(s));
    return;
  }
  const int64_t channels = 2 * D;
  const double perChannel = bytes / channels;
  const int64_t depth = (D - 1) + treeHeight(m);
  auto edges = [&](double seg) {
    std::vector<Flow> up;
    for (int64_t c = 0; c < channels; ++c) {
      int64_t head = c % D;
      for (int64_t n : order)
        for (int64_t i = 1; i < D; ++i)
          up.push_back({n * D + (head + i) % D, n * D + (head + i - 1) % D, seg});
      for (auto [ci, pi] : treeEdges(m, static_cast<int>(c / D)))
        up.push_back({order[ci] * D + head, order[pi] * D + head, seg});
    }
    return up;
  };
  // Latency of one step: the chain plus the deepest tree path, spread over
  // the pipeline depth.
  std::vector<int64_t> heads;
  for (int64_t n : order)
    heads.push_back(n * D);
  double pathLat = (D - 1) * t.levels[0].alpha + treePathLatency(t, heads);
  double lat = pathLat / depth;
  Step probe;
  probe.flows = edges(perChannel);
  probe.latency = lat;
  StepPrice p1 = priceStep(t, probe);
  int64_t k = bestSegments(depth, lat, p1.transfer, bytes);
  Step up, down;
  up.flows = edges(perChannel / k);
  for (const Flow &f : up.flows)
    down.flows.push_back({f.dst, f.src, f.bytes});
  up.repeat = down.repeat = depth + k - 1;
  up.latency = down.latency = lat;
  Stage s;
  s.level = t.topLevel();
  if (reduce)
    s.steps.push_back(std::move(up));
  s.steps.push_back(std::move(down));
  s.what = std::string(reduce ? "all-reduce" : "broadcast") + " (chain in node + double binary " +
           "tree over " + n2s(m) + " nodes, " + n2s(channels) + " channels, " + n2s(k) +
           " segments)";
  plan.segments = k;
  plan.stages.push_back(std::move(s));
}

void chooseChunks(const Topology &t, Plan &plan, int64_t requested) {
  if (plan.stages.size() <= 1) {
    plan.chunks = 1;
    return;
  }
  if (requested > 0) {
    plan.chunks = requested;
    return;
  }
  std::vector<StageTiming> timings;
  for (const Stage &s : plan.stages)
    timings.push_back(priceStage(t, s));
  int64_t cap = std::max<int64_t>(1, std::min<int64_t>(256, plan.bytes / 4096));
  double best = pipelineSeconds(timings, 1);
  plan.chunks = 1;
  for (int64_t c = 2; c <= cap; c *= 2) {
    double tc = pipelineSeconds(timings, c);
    if (tc < best * (1 - 1e-9)) {
      best = tc;
      plan.chunks = c;
    }
  }
}

/// The middle level hierarchical-3 schedules use: the one just below the
/// fabric (e.g. pods or latency clusters), with equal-size groups.
bool clusterLayout(const Topology &t, std::vector<std::vector<int64_t>> &clusters,
                   std::string &whyNot) {
  if (t.numLevels() < 3) {
    whyNot = "no level between the node and the fabric (give one, or a latency matrix to "
             "cluster)";
    return false;
  }
  int cl = t.topLevel() - 1;
  clusters.assign(t.numGroups(cl), {});
  for (int64_t n : nodeOrder(t, false))
    clusters[t.groupOf(cl, n)].push_back(n);
  for (const auto &c : clusters)
    if (c.size() != clusters[0].size()) {
      whyNot = "groups of level '" + t.levels[cl].name + "' have unequal sizes";
      return false;
    }
  if (clusters.size() < 2) {
    whyNot = "level '" + t.levels[cl].name + "' has a single group";
    return false;
  }
  return true;
}

void hier3AllReduce(const Topology &t, double bytes, Plan &plan,
                    const std::vector<std::vector<int64_t>> &clusters) {
  const int64_t D = t.devicesPerNode;
  const int cl = t.topLevel() - 1;
  const int64_t m1 = static_cast<int64_t>(clusters[0].size());
  Groups inCluster, across;
  for (const auto &c : clusters)
    for (int64_t d = 0; d < D; ++d) {
      inCluster.emplace_back();
      for (int64_t n : c)
        inCluster.back().push_back(n * D + d);
    }
  for (int64_t d = 0; d < D; ++d)
    for (int64_t j = 0; j < m1; ++j) {
      across.emplace_back();
      for (const auto &c : clusters)
        across.back().push_back(c[j] * D + d);
    }
  std::string inner;
  if (D > 1)
    plan.stages.push_back(innerReduceScatter(t, nodeGroups(t), bytes, 0, "intra-node", false));
  if (m1 > 1)
    plan.stages.push_back(
        innerReduceScatter(t, inCluster, bytes / D, cl, "in-" + t.levels[cl].name, false));
  plan.stages.push_back(innerAllReduce(t, across, bytes / D / m1, t.topLevel(),
                                       "across-" + t.levels[cl].name, inner));
  if (m1 > 1)
    plan.stages.push_back(
        innerReduceScatter(t, inCluster, bytes / D, cl, "in-" + t.levels[cl].name, true));
  if (D > 1)
    plan.stages.push_back(innerReduceScatter(t, nodeGroups(t), bytes, 0, "intra-node", true));
  plan.note = "across " + n2s(static_cast<int64_t>(clusters.size())) + " groups of '" +
              t.levels[cl].name + "': " + inner;
}

/// Pairwise-exchange all-to-all: step i sends to rank + i. At most 64
/// distinct offsets are priced, each standing for its share of the p - 1
/// steps (exact when p <= 65).
void pairwiseAllToAll(const Topology &t, double bytes, Plan &plan) {
  const int64_t p = t.ranks();
  Stage s;
  s.level = t.topLevel();
  int64_t samples = std::min<int64_t>(64, p - 1);
  for (int64_t k = 0; k < samples; ++k) {
    int64_t lo = 1 + (p - 1) * k / samples, hi = 1 + (p - 1) * (k + 1) / samples;
    Step st;
    st.repeat = hi - lo;
    int64_t off = lo + (hi - lo) / 2;
    for (int64_t r = 0; r < p; ++r)
      st.flows.push_back({r, (r + off) % p, bytes / p});
    if (st.repeat > 0)
      s.steps.push_back(std::move(st));
  }
  s.what = "pairwise exchange (" + n2s(p - 1) + " steps, " + n2s(samples) + " priced)";
  plan.stages.push_back(std::move(s));
}

} // namespace

std::optional<Plan> buildPlanWith(const Topology &t, CollectiveKind kind, Algorithm algo,
                                  uint64_t bytesIn, const PlanOptions &opts,
                                  std::string &whyNot) {
  Plan plan;
  plan.kind = kind;
  plan.algorithm = algo;
  plan.bytes = bytesIn;
  const double bytes = static_cast<double>(bytesIn);
  const int64_t p = t.ranks(), D = t.devicesPerNode;
  if (p < 2) {
    whyNot = "a single rank: the collective is a local copy";
    return std::nullopt;
  }
  if (bytesIn == 0) {
    whyNot = "zero bytes";
    return std::nullopt;
  }
  const std::vector<int64_t> order = nodeOrder(t, opts.rankOrder);
  Groups world(1);
  for (int64_t n : order)
    for (int64_t d = 0; d < D; ++d)
      world[0].push_back(n * D + d);
  auto notFor = [&](const char *why) {
    whyNot = std::string(toString(algo)) + " " + why;
    return std::nullopt;
  };
  const bool hierOK = t.nodes > 1 && D > 1;
  switch (kind) {
  case CollectiveKind::AllReduce:
    switch (algo) {
    case Algorithm::Ring: {
      Groups rings = channelRings(t, order, ringChannels(t));
      Stage s;
      s.level = t.topLevel();
      s.steps.push_back(ringStep(t, rings, bytes / (rings.size() * p), 2 * (p - 1)));
      s.what = "all-reduce (ring, " + n2s(p) + " ranks, " + n2s(rings.size()) + " channels)";
      plan.stages.push_back(std::move(s));
      break;
    }
    case Algorithm::Tree:
      flatTree(t, order, bytes, true, plan);
      break;
    case Algorithm::Rabenseifner: {
      Stage s;
      s.level = t.topLevel();
      rabenseifnerSteps(world, bytes, s.steps);
      s.what = "all-reduce (recursive halving/doubling, " + n2s(p) + " ranks" +
               (isPow2(p) ? ")" : ", folded to a power of two)");
      plan.stages.push_back(std::move(s));
      break;
    }
    case Algorithm::Hier2: {
      if (!hierOK)
        return notFor("needs more than one node and more than one device per node");
      std::string inner;
      plan.stages.push_back(innerReduceScatter(t, nodeGroups(t), bytes, 0, "intra-node", false));
      plan.stages.push_back(innerAllReduce(t, railGroups(t, order), bytes / D, t.topLevel(),
                                           "inter-node", inner));
      plan.stages.push_back(innerReduceScatter(t, nodeGroups(t), bytes, 0, "intra-node", true));
      plan.note = "inter-node: " + inner;
      break;
    }
    case Algorithm::Hier3: {
      std::vector<std::vector<int64_t>> clusters;
      if (!clusterLayout(t, clusters, whyNot))
        return std::nullopt;
      hier3AllReduce(t, bytes, plan, clusters);
      break;
    }
    default:
      return notFor("is not a schedule ds builds");
    }
    break;
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter: {
    bool gather = kind == CollectiveKind::AllGather;
    const char *name = gather ? "all-gather" : "reduce-scatter";
    switch (algo) {
    case Algorithm::Ring: {
      Groups rings = channelRings(t, order, ringChannels(t));
      Stage s;
      s.level = t.topLevel();
      s.steps.push_back(ringStep(t, rings, bytes / (rings.size() * p), p - 1));
      s.what = std::string(name) + " (ring, " + n2s(p) + " ranks, " + n2s(rings.size()) +
               " channels)";
      plan.stages.push_back(std::move(s));
      break;
    }
    case Algorithm::Rabenseifner: {
      if (!isPow2(p))
        return notFor("needs a power-of-two number of ranks");
      Stage s;
      s.level = t.topLevel();
      if (gather)
        doublingSteps(world, bytes, s.steps);
      else
        halvingSteps(world, bytes, s.steps);
      s.what = std::string(name) + (gather ? " (recursive doubling, " : " (recursive halving, ") +
               n2s(p) + " ranks)";
      plan.stages.push_back(std::move(s));
      break;
    }
    case Algorithm::Hier2: {
      if (!hierOK)
        return notFor("needs more than one node and more than one device per node");
      Stage intra = innerReduceScatter(t, nodeGroups(t), bytes, 0, "intra-node", gather);
      Stage inter = innerReduceScatter(t, railGroups(t, order), bytes / D, t.topLevel(),
                                       "inter-node", gather);
      if (gather) {
        plan.stages.push_back(std::move(inter));
        plan.stages.push_back(std::move(intra));
      } else {
        plan.stages.push_back(std::move(intra));
        plan.stages.push_back(std::move(inter));
      }
      break;
    }
    default:
      return notFor("does not apply to this collective");
    }
    break;
  }
  case CollectiveKind::Broadcast:
    switch (algo) {
    case Algorithm::Ring: {
      // A pipelined chain per channel: the ring without the edge into root.
      Groups rings = channelRings(t, order, ringChannels(t));
      double perChannel = bytes / rings.size();
      Step probe;
      for (const auto &r : rings)
        for (size_t i = 0; i + 1 < r.size(); ++i)
          probe.flows.push_back({r[i], r[i + 1], perChannel});
      probe.latency = meanHopLatency(t, rings, false);
      StepPrice p1 = priceStep(t, probe);
      int64_t k = bestSegments(p - 1, *probe.latency, p1.transfer, bytes);
      for (Flow &f : probe.flows)
        f.bytes = perChannel / k;
      probe.repeat = (p - 1) + k - 1;
      Stage s;
      s.level = t.topLevel();
      s.steps.push_back(std::move(probe));
      s.what = "broadcast (pipelined chain, " + n2s(rings.size()) + " channels, " + n2s(k) +
               " segments)";
      plan.segments = k;
      plan.stages.push_back(std::move(s));
      break;
    }
    case Algorithm::Tree:
      flatTree(t, order, bytes, false, plan);
      break;
    case Algorithm::Rabenseifner: {
      // van de Geijn: binomial scatter, then recursive-doubling all-gather.
      if (!isPow2(p))
        return notFor("needs a power-of-two number of ranks");
      Stage s;
      s.level = t.topLevel();
      double chunk = bytes;
      for (int64_t dist = p / 2; dist >= 1; dist /= 2) {
        chunk /= 2;
        Step st;
        for (int64_t i = 0; i < p; i += 2 * dist)
          st.flows.push_back({world[0][i], world[0][i + dist], chunk});
        s.steps.push_back(std::move(st));
      }
      doublingSteps(world, bytes, s.steps);
      s.what = "broadcast (scatter + recursive-doubling all-gather, " + n2s(p) + " ranks)";
      plan.stages.push_back(std::move(s));
      break;
    }
    default:
      return notFor("does not apply to broadcast");
    }
    break;
  case CollectiveKind::AllToAll:
    if (algo != Algorithm::Native)
      return notFor("does not apply to all_to_all (the runtime ABI has no algorithm choice)");
    pairwiseAllToAll(t, bytes, plan);
    break;
  }
  chooseChunks(t, plan, opts.chunks);
  return plan;
}

} // namespace detail

std::optional<Plan> buildPlan(const topo::Topology &t, CollectiveKind kind, Algorithm algo,
                              uint64_t bytes, int64_t chunks, std::string &whyNot) {
  detail::PlanOptions o;
  o.chunks = chunks;
  return detail::buildPlanWith(t, kind, algo, bytes, o, whyNot);
}

std::vector<Algorithm> candidateAlgorithms(CollectiveKind kind) {
  switch (kind) {
  case CollectiveKind::AllReduce:
    return {Algorithm::Ring, Algorithm::Tree, Algorithm::Rabenseifner, Algorithm::Hier2,
            Algorithm::Hier3};
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter:
    return {Algorithm::Ring, Algorithm::Rabenseifner, Algorithm::Hier2};
  case CollectiveKind::Broadcast:
    return {Algorithm::Ring, Algorithm::Tree, Algorithm::Rabenseifner};
  case CollectiveKind::AllToAll:
    return {Algorithm::Native};
  }
  return {};
}

} // namespace ds::coll
