//===- Clustering.cpp - k-means on measured latencies ---------------------===//
#include "ds/Topology/Clustering.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace ds::topo {
namespace {

/// Feature vectors: each point's latencies to up to 64 landmark points chosen
/// by farthest-point sampling. With n points this keeps k-means at
/// O(n * k * 64) per iteration instead of O(n^2 * k), and two points with the
/// same row of the matrix still get the same features.
std::vector<std::vector<double>> features(const LatencyMatrix &m) {
  int64_t n = m.size;
  std::vector<int64_t> landmarks;
  if (n <= 64) {
    for (int64_t i = 0; i < n; ++i)
      landmarks.push_back(i);
  } else {
    std::vector<double> dist(n, std::numeric_limits<double>::infinity());
    int64_t next = 0;
    for (int i = 0; i < 64; ++i) {
      landmarks.push_back(next);
      int64_t best = 0;
      for (int64_t p = 0; p < n; ++p) {
        dist[p] = std::min(dist[p], m.at(p, next));
        if (dist[p] > dist[best])
          best = p;
      }
      next = best;
    }
  }
  std::vector<std::vector<double>> f(n, std::vector<double>(landmarks.size()));
  for (int64_t p = 0; p < n; ++p)
    for (size_t j = 0; j < landmarks.size(); ++j)
      f[p][j] = m.at(p, landmarks[j]);
  return f;
}

double sq(const std::vector<double> &a, const std::vector<double> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

std::vector<int32_t> kmeans(const std::vector<std::vector<double>> &f, int k) {
  size_t n = f.size();
  // Deterministic farthest-point seeding from point 0.
  std::vector<std::vector<double>> centers{f[0]};
  std::vector<double> d(n, std::numeric_limits<double>::infinity());
  while (static_cast<int>(centers.size()) < k) {
    size_t best = 0;
    for (size_t p = 0; p < n; ++p) {
      d[p] = std::min(d[p], sq(f[p], centers.back()));
      if (d[p] > d[best])
        best = p;
    }
    centers.push_back(f[best]);
  }
  std::vector<int32_t> label(n, 0);
  for (int iter = 0; iter < 100; ++iter) {
    bool changed = false;
    for (size_t p = 0; p < n; ++p) {
      int32_t best = 0;
      double bd = sq(f[p], centers[0]);
      for (int c = 1; c < k; ++c) {
        double dc = sq(f[p], centers[c]);
        if (dc < bd) {
          bd = dc;
          best = c;
        }
      }
      changed |= best != label[p];
      label[p] = best;
    }
    if (!changed && iter > 0)
      break;
    std::vector<std::vector<double>> sum(k, std::vector<double>(f[0].size(), 0));
    std::vector<int64_t> cnt(k, 0);
    for (size_t p = 0; p < n; ++p) {
      ++cnt[label[p]];
      for (size_t j = 0; j < f[p].size(); ++j)
        sum[label[p]][j] += f[p][j];
    }
    for (int c = 0; c < k; ++c)
      if (cnt[c] > 0)
        for (size_t j = 0; j < sum[c].size(); ++j)
          centers[c][j] = sum[c][j] / cnt[c];
  }
  // Renumber by first appearance so that labels are dense and stable.
  std::map<int32_t, int32_t> renumber;
  for (int32_t &l : label) {
    auto it = renumber.emplace(l, static_cast<int32_t>(renumber.size())).first;
    l = it->second;
  }
  return label;
}

/// Mean silhouette (Rousseeuw 1987) using the measured latency as distance.
double silhouette(const LatencyMatrix &m, const std::vector<int32_t> &label, int k) {
  int64_t n = m.size;
  std::vector<int64_t> size(k, 0);
  for (int32_t l : label)
    ++size[l];
  double total = 0;
  std::vector<double> sum(k);
  for (int64_t i = 0; i < n; ++i) {
    std::fill(sum.begin(), sum.end(), 0);
    for (int64_t j = 0; j < n; ++j)
      sum[label[j]] += m.at(i, j);
    int32_t own = label[i];
    if (size[own] <= 1)
      continue; // s(i) = 0 for singletons
    double a = sum[own] / (size[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c)
      if (c != own && size[c] > 0)
        b = std::min(b, sum[c] / size[c]);
    double denom = std::max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / n;
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

Clustering clusterLatencies(const LatencyMatrix &m, int k) {
  Clustering r;
  int64_t n = m.size;
  if (n <= 1 || k == 1) {
    r.labelOf.assign(n, 0);
    return r;
  }
  auto f = features(m);
  if (k > 0) {
    r.k = static_cast<int>(std::min<int64_t>(k, n));
    r.labelOf = kmeans(f, r.k);
    r.silhouette = silhouette(m, r.labelOf, r.k);
    return r;
  }
  int maxK = static_cast<int>(std::min<int64_t>(16, n - 1));
  r.silhouetteByK.assign(maxK + 1, 0);
  r.labelOf.assign(n, 0);
  double best = -1;
  for (int c = 2; c <= maxK; ++c) {
    std::vector<int32_t> labels = kmeans(f, c);
    int used = *std::max_element(labels.begin(), labels.end()) + 1;
    double s = silhouette(m, labels, used);
    r.silhouetteByK[c] = s;
    if (s > best + 1e-9) {
      best = s;
      if (s >= 0.5) {
        r.k = used;
        r.labelOf = labels;
        r.silhouette = s;
      }
    }
  }
  return r;
}

bool addLatencyClusterLevel(Topology &t, int k, Diagnostic &diag, Clustering *result) {
  if (!t.latency)
    return true;
  const LatencyMatrix &m = *t.latency;
  Clustering c = clusterLatencies(m, k);
  if (result)
    *result = c;
  if (c.k <= 1)
    return true;
  diag.field = "/latency_matrix";
  bool byRank = m.granularity == LatencyMatrix::Granularity::Rank;
  std::vector<int32_t> ofNode(t.nodes, -1);
  for (int64_t p = 0; p < m.size; ++p) {
    int64_t node = byRank ? t.nodeOf(p) : p;
    if (ofNode[node] >= 0 && ofNode[node] != c.labelOf[p]) {
      diag.message = "latency clustering (k=" + std::to_string(c.k) + ") splits node " +
                     std::to_string(node) +
                     " across clusters; ranks of one node must be in one cluster";
      return false;
    }
    ofNode[node] = c.labelOf[p];
  }
  std::vector<int64_t> size(c.k, 0);
  for (int32_t g : ofNode)
    ++size[g];
  for (int g = 1; g < c.k; ++g)
    if (size[g] != size[0]) {
      diag.message = "latency clustering (k=" + std::to_string(c.k) +
                     ") found clusters of unequal size (" + std::to_string(size[0]) +
                     " and " + std::to_string(size[g]) +
                     " nodes); the hierarchical schedules need equal groups";
      return false;
    }
  // Where does the new level nest? It goes above every existing middle level
  // that refines it and below every one that contains it.
  auto refines = [&](const std::vector<int32_t> &fine, const std::vector<int32_t> &coarse) {
    std::map<int32_t, int32_t> up;
    for (int64_t n = 0; n < t.nodes; ++n) {
      auto [it, ins] = up.emplace(fine[n], coarse[n]);
      if (!ins && it->second != coarse[n])
        return false;
    }
    return true;
  };
  int insertAt = 1;
  for (int l = 1; l < t.topLevel(); ++l) {
    const std::vector<int32_t> &g = t.levels[l].groupOfNode;
    bool finer = refines(g, ofNode), coarser = refines(ofNode, g);
    if (finer && coarser)
      return true; // the file already states this grouping
    if (finer)
      insertAt = l + 1;
    else if (!coarser) {
      diag.message = "latency clusters (k=" + std::to_string(c.k) +
                     ") cut across the groups of level '" + t.levels[l].name + "'";
      return false;
    }
  }
  // Mean latencies inside and between clusters (distinct nodes only).
  double inSum = 0, outSum = 0;
  int64_t inCnt = 0, outCnt = 0;
  for (int64_t i = 0; i < m.size; ++i)
    for (int64_t j = 0; j < m.size; ++j) {
      int64_t ni = byRank ? t.nodeOf(i) : i, nj = byRank ? t.nodeOf(j) : j;
      if (ni == nj)
        continue;
      if (ofNode[ni] == ofNode[nj]) {
        inSum += m.at(i, j);
        ++inCnt;
      } else {
        outSum += m.at(i, j);
        ++outCnt;
      }
    }
  Level &above = t.levels[insertAt];
  Level lv;
  lv.name = "cluster";
  for (int suffix = 2; std::any_of(t.levels.begin(), t.levels.end(),
                                   [&](const Level &l) { return l.name == lv.name; });
       ++suffix)
    lv.name = "cluster" + std::to_string(suffix);
  lv.alpha = inCnt ? inSum / inCnt : above.alpha;
  lv.beta = above.beta;
  lv.groupOfNode = ofNode;
  lv.origin = "latency clustering, k=" + std::to_string(c.k) + ", silhouette " + fmt(c.silhouette);
  if (outCnt) {
    above.alpha = outSum / outCnt;
    above.origin = "latency from clustering";
  }
  t.levels.insert(t.levels.begin() + insertAt, lv);
  diag = Diagnostic{diag.file};
  return true;
}

} // namespace ds::topo
