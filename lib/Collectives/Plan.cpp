//===- Plan.cpp - expanding algorithms into steps of flows ----------------===//
//
// Each builder lays an algorithm out over concrete ranks, so that the
// simulator sees which links every byte crosses. Rank groups are lists of
// equal size; a stage runs the same algorithm in every group at once (all
// rails, all clusters), which is where link sharing comes from.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "Plans.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace ds::coll::detail {

using topo::Topology;

bool isPow2(int64_t x) { return x > 0 && (x & (x - 1)) == 0; }
int log2Floor(int64_t x) {
  int l = 0;
  while ((int64_t(1) << (l + 1)) <= x)
    ++l;
  return l;
}
int log2Ceil(int64_t x) {
  int l = log2Floor(x);
  return (int64_t(1) << l) < x ? l + 1 : l;
}

std::vector<int64_t> nodeOrder(const Topology &t, bool rankOrder) {
  std::vector<int64_t> order(t.nodes);
  std::iota(order.begin(), order.end(), 0);
  if (rankOrder)
    return order;
  // Visit every group of every level contiguously: sort by the group ids from
  // the outermost grouping inwards (stable keeps rank order inside a group).
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    for (int l = t.topLevel() - 1; l >= 1; --l) {
      int64_t ga = t.groupOf(l, a), gb = t.groupOf(l, b);
      if (ga != gb)
        return ga < gb;
    }
    return false;
  });
  return order;
}

double meanHopLatency(const Topology &t, const Groups &groups, bool closed) {
  double sum = 0;
  int64_t hops = 0;
  for (const auto &g : groups) {
    int64_t m = static_cast<int64_t>(g.size());
    for (int64_t i = 0; i + (closed ? 0 : 1) < m; ++i) {
      int64_t a = g[i], b = g[(i + 1) % m];
      if (a == b)
        continue;
      sum += t.levels[t.levelBetween(a, b)].alpha;
      ++hops;
    }
  }
  return hops ? sum / hops : 0;
}

// --- Rings ----------------------------------------------------------------

Step ringStep(const Topology &t, const Groups &groups, double bytes, int64_t repeat) {
  Step s;
  s.repeat = repeat;
  for (const auto &g : groups)
    for (size_t i = 0; i < g.size(); ++i)
      s.flows.push_back({g[i], g[(i + 1) % g.size()], bytes});
  s.latency = meanHopLatency(t, groups, /*closed=*/true);
  return s;
}

/// The channel rings of a flat ring: node after node in `order`, the devices
/// of a node rotated by the channel so that every channel leaves the node
/// through a different device (and its network port).
Groups channelRings(const Topology &t, const std::vector<int64_t> &order, int64_t channels) {
  Groups rings;
  for (int64_t c = 0; c < channels; ++c) {
    std::vector<int64_t> ring;
    for (int64_t node : order)
      for (int64_t d = 0; d < t.devicesPerNode; ++d)
        ring.push_back(node * t.devicesPerNode + (c + d) % t.devicesPerNode);
    rings.push_back(std::move(ring));
  }
  return rings;
}

// --- Recursive halving / doubling ------------------------------------------

/// Reduce-scatter by recursive halving with distance doubling: the big early
/// exchanges are between near partners (same node), the small late ones far.
void halvingSteps(const Groups &groups, double bytes, std::vector<Step> &steps) {
  int64_t m = groups.empty() ? 0 : static_cast<int64_t>(groups[0].size());
  double chunk = bytes;
  for (int64_t dist = 1; dist < m; dist *= 2) {
    chunk /= 2;
    Step s;
    for (const auto &g : groups)
      for (int64_t i = 0; i < m; ++i)
        s.flows.push_back({g[i], g[i ^ dist], chunk});
    steps.push_back(std::move(s));
  }
}

void doublingSteps(const Groups &groups, double outBytes, std::vector<Step> &steps) {
  std::vector<Step> rev;
  halvingSteps(groups, outBytes, rev);
  steps.insert(steps.end(), rev.rbegin(), rev.rend());
}

/// Rabenseifner all-reduce; a non-power-of-two group first folds its extra
/// members into the power-of-two part and unfolds them at the end.
void rabenseifnerSteps(const Groups &groups, double bytes, std::vector<Step> &steps) {
  int64_t m = static_cast<int64_t>(groups[0].size());
  int64_t q = int64_t(1) << log2Floor(m);
  Groups core;
  for (const auto &g : groups)
    core.emplace_back(g.begin(), g.begin() + q);
  Step fold, unfold;
  if (q < m)
    for (const auto &g : groups)
      for (int64_t i = q; i < m; ++i) {
        fold.flows.push_back({g[i], g[i - q], bytes});
        unfold.flows.push_back({g[i - q], g[i], bytes});
      }
  if (!fold.flows.empty())
    steps.push_back(std::move(fold));
  halvingSteps(core, bytes, steps);
  doublingSteps(core, bytes, steps);
  if (!unfold.flows.empty())
    steps.push_back(std::move(unfold));
}

// --- Double binary trees ----------------------------------------------------

/// Parent of position i in a binary tree over 0..m-1 built on the binary
/// representation (leaves are the odd positions, position 0 is the root).
int64_t treeParent(int64_t i, int64_t m) {
  if (i == 0)
    return -1;
  int64_t low = i & -i;
  int64_t up = (i ^ low) | (low << 1);
  return up >= m ? (i ^ low) : up;
}

int64_t treeHeight(int64_t m) { return m <= 1 ? 0 : log2Ceil(m); }

/// Position in the second tree: mirrored for even m (so every position is
/// an inner node of at most one tree), shifted by one for odd m.
int64_t secondTreePos(int64_t i, int64_t m) { return m % 2 == 0 ? m - 1 - i : (i + 1) % m; }
int64_t secondTreeInv(int64_t j, int64_t m) { return m % 2 == 0 ? m - 1 - j : (j + m - 1) % m; }

/// Edges (child -> parent, as positions) of tree 0 and tree 1.
std::vector<std::pair<int64_t, int64_t>> treeEdges(int64_t m, int which) {
  std::vector<std::pair<int64_t, int64_t>> e;
  for (int64_t j = 1; j < m; ++j) {
    int64_t pj = treeParent(j, m);
    if (which == 0)
      e.push_back({j, pj});
    else
      e.push_back({secondTreeInv(j, m), secondTreeInv(pj, m)});
  }
  return e;
}

/// Sum of alphas along the deepest root-to-leaf path of tree 0 in group g.
double treePathLatency(const Topology &t, const std::vector<int64_t> &g) {
  int64_t m = static_cast<int64_t>(g.size());
  double best = 0;
  for (int64_t j = 0; j < m; ++j) {
    double sum = 0;
    for (int64_t c = j, p = treeParent(c, m); p >= 0; c = p, p = treeParent(c, m))
      sum += t.levels[t.levelBetween(g[c], g[p])].alpha;
    best = std::max(best, sum);
  }
  return best;
}

/// Pipelined double-binary-tree all-reduce (or broadcast when `reduce` is
/// false) over each group: half the data per tree, `segments` pieces
/// streamed up (reduce) and down (broadcast).
void treeSteps(const Topology &t, const Groups &groups, double bytes, int64_t segments,
               bool reduce, std::vector<Step> &steps) {
  int64_t m = static_cast<int64_t>(groups[0].size());
  int64_t h = treeHeight(m);
  double seg = bytes / 2 / segments;
  double lat = h ? treePathLatency(t, groups[0]) / h : 0;
  Step up, down;
  for (const auto &g : groups)
    for (int which = 0; which < 2; ++which)
      for (auto [c, p] : treeEdges(m, which)) {
        up.flows.push_back({g[c], g[p], seg});
        down.flows.push_back({g[p], g[c], seg});
      }
  up.repeat = down.repeat = h + segments - 1;
  up.latency = down.latency = lat;
  if (reduce)
    steps.push_back(std::move(up));
  steps.push_back(std::move(down));
}

/// Segments minimising (D + k - 1)(a + x / k): k* = sqrt((D - 1) x / a),
/// rounded to a power of two, at least 1 and at most bytes / 4 KiB.
int64_t bestSegments(int64_t depth, double alpha, double transferAllAtOnce, double bytes) {
  if (depth <= 1 || alpha <= 0)
    return std::max<int64_t>(1, std::min<int64_t>(1024, static_cast<int64_t>(bytes / 4096)));
  double k = std::sqrt((depth - 1) * transferAllAtOnce / alpha);
  int64_t cap = std::max<int64_t>(1, static_cast<int64_t>(bytes / 4096));
  int64_t best = 1;
  double bestT = 1e300;
  for (int64_t c = 1; c <= std::min<int64_t>(cap, 1 << 16); c *= 2) {
    double tc = (depth + c - 1) * (alpha + transferAllAtOnce / c);
    if (tc < bestT) {
      bestT = tc;
      best = c;
    }
    if (c > 4 * k)
      break;
  }
  return best;
}

int64_t chooseTreeSegments(const Topology &t, const Groups &groups, double bytes) {
  int64_t m = static_cast<int64_t>(groups[0].size());
  std::vector<Step> probe;
  treeSteps(t, groups, bytes, 1, /*reduce=*/true, probe);
  StepPrice p = priceStep(t, probe[0]);
  return bestSegments(treeHeight(m), p.latency, p.transfer, bytes);
}

// --- Group layouts ------------------------------------------------------------

Groups nodeGroups(const Topology &t) {
  Groups g(t.nodes);
  for (int64_t n = 0; n < t.nodes; ++n)
    for (int64_t d = 0; d < t.devicesPerNode; ++d)
      g[n].push_back(n * t.devicesPerNode + d);
  return g;
}

Groups railGroups(const Topology &t, const std::vector<int64_t> &order) {
  Groups g(t.devicesPerNode);
  for (int64_t d = 0; d < t.devicesPerNode; ++d)
    for (int64_t n : order)
      g[d].push_back(n * t.devicesPerNode + d);
  return g;
}

// --- Inner all-reduce on one level: ring, halving/doubling or tree -----------

Stage innerAllReduce(const Topology &t, const Groups &groups, double bytes, int level,
                     const std::string &where, std::string &choice) {
  int64_t m = static_cast<int64_t>(groups[0].size());
  std::vector<std::pair<std::string, Stage>> options;
  Stage ring;
  ring.steps.push_back(ringStep(t, groups, bytes / m, 2 * (m - 1)));
  options.push_back({"ring", std::move(ring)});
  Stage rh;
  rabenseifnerSteps(groups, bytes, rh.steps);
  options.push_back({"halving-doubling", std::move(rh)});
  if (m > 2) {
    Stage tree;
    int64_t k = chooseTreeSegments(t, groups, bytes);
    treeSteps(t, groups, bytes, k, /*reduce=*/true, tree.steps);
    options.push_back({"double binary tree, " + std::to_string(k) + " segments", std::move(tree)});
  }
  size_t best = 0;
  double bestT = 1e300;
  for (size_t i = 0; i < options.size(); ++i) {
    StageTiming st = priceStage(t, options[i].second);
    if (st.latency + st.transfer < bestT) {
      bestT = st.latency + st.transfer;
      best = i;
    }
  }
  Stage s = std::move(options[best].second);
  choice = options[best].first;
  s.level = level;
  s.what = where + " all-reduce (" + choice + ", " + std::to_string(m) + " ranks)";
  return s;
}

Stage innerReduceScatter(const Topology &t, const Groups &groups, double bytes, int level,
                         const std::string &where, bool gather) {
  int64_t m = static_cast<int64_t>(groups[0].size());
  Stage ring;
  ring.steps.push_back(ringStep(t, groups, bytes / m, m - 1));
  std::string name = "ring";
  if (isPow2(m) && m > 2) {
    Stage rh;
    if (gather)
      doublingSteps(groups, bytes, rh.steps);
    else
      halvingSteps(groups, bytes, rh.steps);
    StageTiming a = priceStage(t, ring), b = priceStage(t, rh);
    if (b.latency + b.transfer < a.latency + a.transfer) {
      ring = std::move(rh);
      name = gather ? "recursive doubling" : "recursive halving";
    }
  }
  ring.level = level;
  ring.what = where + (gather ? " all-gather (" : " reduce-scatter (") + name + ", " +
              std::to_string(m) + " ranks)";
  return ring;
}

} // namespace ds::coll::detail
