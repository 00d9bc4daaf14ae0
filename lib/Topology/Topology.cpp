//===- Topology.cpp - Topology invariants and summaries -------------------===//
#include "ds/Topology/Topology.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace ds::topo {

int64_t Topology::numGroups(int level) const {
  if (level == 0)
    return nodes;
  if (level >= topLevel())
    return 1;
  const std::vector<int32_t> &g = levels[level].groupOfNode;
  return g.empty() ? 1 : *std::max_element(g.begin(), g.end()) + 1;
}

double Topology::bottleneckBeta() const {
  // A rank sends at least 2(p-1)/p buffers through its ports, and the G
  // groups of level l-1 must exchange at least 2(G-1)/G buffers each across
  // their uplinks. In busbw units (2(p-1)/p buffers per time) that gives the
  // rank bound beta_0 + beta_1 and, for l >= 1, the cut bound
  // capacity_l * ((p-1)/p) / ((G-1)/G), capacity_l = (ranks in the smallest
  // group) * beta_l / oversubscription_l.
  const double p = static_cast<double>(ranks());
  double b = levels.size() > 1 ? levels[0].beta + levels[1].beta : 0;
  for (int l = 1; l < numLevels(); ++l) {
    int64_t groups = numGroups(l - 1);
    if (groups < 2)
      continue;
    int64_t groupRanks = devicesPerNode;
    if (l - 1 >= 1) {
      std::vector<int64_t> size(groups, 0);
      for (int64_t n = 0; n < nodes; ++n)
        size[groupOf(l - 1, n)] += devicesPerNode;
      groupRanks = *std::min_element(size.begin(), size.end());
    }
    double capacity = groupRanks * levels[l].beta / levels[l].oversubscription;
    double G = static_cast<double>(groups);
    b = std::min(b, capacity * ((p - 1) / p) / ((G - 1) / G));
  }
  return b;
}

std::string Diagnostic::str() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0)
        out += ":" + std::to_string(column);
    }
    out += ": ";
  }
  out += "error: ";
  if (!field.empty())
    out += "field '" + field + "': ";
  out += message;
  return out;
}

static bool fail(Diagnostic &diag, std::string field, std::string message) {
  diag.field = std::move(field);
  diag.message = std::move(message);
  return false;
}

static std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool verifyMetric(const LatencyMatrix &m, Diagnostic &diag) {
  const std::string f = "/latency_matrix/values_us";
  const double tol = 1e-6;
  if (m.size <= 0 || static_cast<int64_t>(m.values.size()) != m.size * m.size)
    return fail(diag, f, "the matrix must be square and non-empty");
  auto cell = [&](int64_t i, int64_t j) {
    return f + "/" + std::to_string(i) + "/" + std::to_string(j);
  };
  for (int64_t i = 0; i < m.size; ++i)
    for (int64_t j = 0; j < m.size; ++j) {
      double v = m.at(i, j);
      if (!std::isfinite(v) || v < 0)
        return fail(diag, cell(i, j),
                    "latency must be finite and non-negative, found " + fmt(v * 1e6) + " us");
      if (i == j && v != 0)
        return fail(diag, cell(i, j),
                    "a rank's latency to itself must be 0, found " + fmt(v * 1e6) + " us");
      double w = m.at(j, i);
      if (std::fabs(v - w) > tol * std::max(v, w))
        return fail(diag, cell(i, j),
                    "the matrix is not symmetric: " + fmt(v * 1e6) + " us here, " +
                        fmt(w * 1e6) + " us at [" + std::to_string(j) + "][" +
                        std::to_string(i) + "]");
    }
  // Triangle inequality: O(n^3); matrices beyond 2048 points are checked on
  // every i, j against a deterministic sample of intermediates.
  int64_t stride = m.size > 2048 ? m.size / 512 : 1;
  for (int64_t i = 0; i < m.size; ++i)
    for (int64_t k = 0; k < m.size; k += stride)
      for (int64_t j = 0; j < m.size; ++j) {
        double direct = m.at(i, j), via = m.at(i, k) + m.at(k, j);
        if (direct > via * (1 + tol) + 1e-15)
          return fail(diag, cell(i, j),
                      "the triangle inequality fails: " + fmt(direct * 1e6) +
                          " us directly, but " + fmt(via * 1e6) + " us through " +
                          std::to_string(k));
      }
  return true;
}

bool verifyTopology(const Topology &t, Diagnostic &diag) {
  if (t.nodes <= 0)
    return fail(diag, "/nodes", "must be a positive integer");
  if (t.devicesPerNode <= 0)
    return fail(diag, "/devices_per_node", "must be a positive integer");
  if (t.ranks() > (int64_t(1) << 26))
    return fail(diag, "/nodes", "more than 2^26 ranks are not supported");
  if (t.levels.size() < 2)
    return fail(diag, "/levels",
                "need at least two levels (intra-node and the fabric), found " +
                    std::to_string(t.levels.size()));
  std::set<std::string> names;
  for (size_t l = 0; l < t.levels.size(); ++l) {
    const Level &lv = t.levels[l];
    std::string f = "/levels/" + std::to_string(l);
    if (lv.name.empty())
      return fail(diag, f + "/name", "must be a non-empty string");
    if (!names.insert(lv.name).second)
      return fail(diag, f + "/name", "level name '" + lv.name + "' is used twice");
    if (!(lv.alpha >= 0) || !std::isfinite(lv.alpha))
      return fail(diag, f + "/latency_us", "must be a finite non-negative number");
    if (!(lv.beta > 0) || !std::isfinite(lv.beta))
      return fail(diag, f + "/bandwidth_GBps", "must be a finite positive number");
    if (!(lv.oversubscription >= 1) || !std::isfinite(lv.oversubscription))
      return fail(diag, f + "/oversubscription", "must be a finite number >= 1");
    bool middle = l > 0 && l + 1 < t.levels.size();
    if (!middle && !lv.groupOfNode.empty())
      return fail(diag, f, "only levels between the node and the fabric group nodes");
    if (middle && static_cast<int64_t>(lv.groupOfNode.size()) != t.nodes)
      return fail(diag, f + "/group_of_node",
                  "has " + std::to_string(lv.groupOfNode.size()) +
                      " entries but the cluster has " + std::to_string(t.nodes) + " nodes");
    if (middle) {
      std::map<int32_t, int64_t> sizes;
      for (int32_t g : lv.groupOfNode) {
        if (g < 0 || g >= t.nodes)
          return fail(diag, f + "/group_of_node",
                      "group ids must lie in [0, nodes), found " + std::to_string(g));
        ++sizes[g];
      }
      // Dense ids 0 .. G-1 keep numGroups() simple.
      if (static_cast<int32_t>(sizes.size()) != sizes.rbegin()->first + 1)
        return fail(diag, f + "/group_of_node", "group ids must be 0 .. G-1 with none missing");
    }
    if (l >= 2 && middle) {
      // Nesting: nodes sharing a group at l-1 share one at l.
      const Level &below = t.levels[l - 1];
      std::map<int32_t, int32_t> parent;
      for (int64_t n = 0; n < t.nodes; ++n) {
        auto [it, inserted] = parent.emplace(below.groupOfNode[n], lv.groupOfNode[n]);
        if (!inserted && it->second != lv.groupOfNode[n])
          return fail(diag, f + "/group_of_node",
                      "does not nest: group " + std::to_string(below.groupOfNode[n]) +
                          " of level '" + below.name + "' is split (node " +
                          std::to_string(n) + ")");
      }
    }
  }
  if (t.latency) {
    const LatencyMatrix &m = *t.latency;
    int64_t want = m.granularity == LatencyMatrix::Granularity::Rank ? t.ranks() : t.nodes;
    if (m.size != want)
      return fail(diag, "/latency_matrix/values_us",
                  "has " + std::to_string(m.size) + " rows but the cluster has " +
                      std::to_string(want) +
                      (m.granularity == LatencyMatrix::Granularity::Rank
                           ? " ranks (nodes x devices_per_node)"
                           : " nodes"));
    if (!verifyMetric(m, diag))
      return false;
  }
  return true;
}

std::string describe(const Topology &t) {
  std::ostringstream os;
  os << "topology '" << t.name << "': " << t.nodes << " nodes x " << t.devicesPerNode
     << " devices = " << t.ranks() << " ranks\n";
  for (int l = 0; l < t.numLevels(); ++l) {
    const Level &lv = t.levels[l];
    os << "  level " << l << " '" << lv.name << "': " << t.numGroups(l)
       << (l == 0 ? " nodes" : " group(s)") << ", alpha " << fmt(lv.alpha * 1e6)
       << " us, beta " << fmt(lv.beta / 1e9) << " GB/s per rank";
    if (lv.oversubscription > 1)
      os << ", uplinks oversubscribed " << fmt(lv.oversubscription) << "x";
    if (lv.origin != "file")
      os << " [" << lv.origin << "]";
    os << "\n";
  }
  return os.str();
}

} // namespace ds::topo
