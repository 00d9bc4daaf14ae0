//===- TopologyTest.cpp - cluster descriptions, validation, clustering ----===//

#include "ds/Topology/Clustering.h"
#include "ds/Topology/Topology.h"

#include "gtest/gtest.h"

#include <random>
#include <sstream>

using namespace ds::topo;

namespace {

const char *kTwoLevel = R"({
  "name": "t", "nodes": 4, "devices_per_node": 2,
  "levels": [
    {"name": "nvlink", "latency_us": 1, "bandwidth_GBps": 400},
    {"name": "net", "latency_us": 10, "bandwidth_GBps": 50}
  ]})";

std::optional<Topology> parse(const std::string &text, Diagnostic &d,
                              Format f = Format::Auto) {
  return parseTopology(text, d, f, "in");
}

/// A rank-granularity latency matrix in JSON for `nodes` x `dpn` where node
/// n sits in pod pod(n).
template <typename Pod>
std::string matrixJson(int nodes, int dpn, Pod pod, double intra, double inPod, double across) {
  std::ostringstream os;
  os << "[";
  int p = nodes * dpn;
  for (int a = 0; a < p; ++a) {
    os << (a ? ",[" : "[");
    for (int b = 0; b < p; ++b) {
      int na = a / dpn, nb = b / dpn;
      double v = a == b ? 0 : na == nb ? intra : pod(na) == pod(nb) ? inPod : across;
      os << (b ? "," : "") << v;
    }
    os << "]";
  }
  os << "]";
  return os.str();
}

TEST(Topology, ParsesJSONAndYAMLAlike) {
  Diagnostic d;
  auto j = parse(kTwoLevel, d);
  ASSERT_TRUE(j) << d.str();
  auto y = parse("name: t\nnodes: 4\ndevices_per_node: 2\nlevels:\n"
                 "  - {name: nvlink, latency_us: 1, bandwidth_GBps: 400}\n"
                 "  - {name: net, latency_us: 10, bandwidth_GBps: 50}\n",
                 d);
  ASSERT_TRUE(y) << d.str();
  EXPECT_EQ(j->ranks(), 8);
  EXPECT_EQ(y->ranks(), 8);
  ASSERT_EQ(y->levels.size(), 2u);
  EXPECT_DOUBLE_EQ(j->levels[1].alpha, 10e-6);
  EXPECT_DOUBLE_EQ(y->levels[1].alpha, 10e-6);
  EXPECT_DOUBLE_EQ(y->levels[0].beta, 400e9);
  EXPECT_EQ(j->levelBetween(0, 1), 0);
  EXPECT_EQ(j->levelBetween(1, 2), 1);
}

TEST(Topology, MiddleLevelsGroupNodes) {
  Diagnostic d;
  auto t = parse("nodes: 8\ndevices_per_node: 1\nlevels:\n"
                 "  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                 "  - {name: pod, latency_us: 2, bandwidth_GBps: 1, nodes_per_group: 4}\n"
                 "  - {name: top, latency_us: 3, bandwidth_GBps: 1, oversubscription: 2}\n",
                 d);
  ASSERT_TRUE(t) << d.str();
  EXPECT_EQ(t->numGroups(1), 2);
  EXPECT_EQ(t->levelBetween(0, 3), 1);
  EXPECT_EQ(t->levelBetween(3, 4), 2);
  // busbw bound, GB/s: ports 1 + 1; node cut 1 * (7/8) / (7/8) = 1; pod
  // cut 4 ranks * 1 / 2 * (7/8) / (1/2) = 3.5.
  EXPECT_DOUBLE_EQ(t->bottleneckBeta(), 1e9);
  t->levels[1].beta = 0.25e9; // node cut: 0.25 GB/s
  EXPECT_DOUBLE_EQ(t->bottleneckBeta(), 0.25e9);
  t->levels[1].beta = 1e9;
  t->levels[2].oversubscription = 8; // pod cut: 4 * 1 / 8 * 1.75 = 0.875
  EXPECT_DOUBLE_EQ(t->bottleneckBeta(), 0.875e9);
}

TEST(Topology, MissingFieldIsNamedWithLine) {
  Diagnostic d;
  EXPECT_FALSE(parse("nodes: 4\nlevels:\n  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                     "  - {name: b, latency_us: 1, bandwidth_GBps: 1}\n",
                     d));
  EXPECT_EQ(d.field, "/devices_per_node");
  EXPECT_NE(d.message.find("missing"), std::string::npos);
  EXPECT_EQ(d.line, 1);

  EXPECT_FALSE(parse("nodes: 4\ndevices_per_node: 2\nlevels:\n"
                     "  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                     "  - {name: b, bandwidth_GBps: 1}\n",
                     d));
  EXPECT_EQ(d.field, "/levels/1/latency_us");
  EXPECT_EQ(d.line, 5);
  EXPECT_NE(d.str().find("in:5:"), std::string::npos) << d.str();
}

TEST(Topology, InconsistentRankCountsAreRejected) {
  Diagnostic d;
  std::string bad = kTwoLevel;
  bad.replace(bad.find("\"nodes\": 4"), 10, "\"nodes\": 4, \"ranks\": 9");
  EXPECT_FALSE(parse(bad, d));
  EXPECT_EQ(d.field, "/ranks");
  EXPECT_NE(d.message.find("4 x 2 = 8"), std::string::npos) << d.message;

  EXPECT_FALSE(parse("nodes: 4\ndevices_per_node: 2\nlevels:\n"
                     "  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                     "  - {name: p, latency_us: 1, bandwidth_GBps: 1, group_of_node: [0, 1, 0]}\n"
                     "  - {name: b, latency_us: 1, bandwidth_GBps: 1}\n",
                     d));
  EXPECT_EQ(d.field, "/levels/1/group_of_node");

  EXPECT_FALSE(parse("nodes: 6\ndevices_per_node: 2\nlevels:\n"
                     "  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                     "  - {name: p, latency_us: 1, bandwidth_GBps: 1, nodes_per_group: 4}\n"
                     "  - {name: b, latency_us: 1, bandwidth_GBps: 1}\n",
                     d));
  EXPECT_EQ(d.field, "/levels/1/nodes_per_group");

  // Matrix size must match the rank count.
  EXPECT_FALSE(parse(R"({"nodes": 2, "devices_per_node": 2, "levels": [
      {"name": "a", "latency_us": 1, "bandwidth_GBps": 1},
      {"name": "b", "latency_us": 1, "bandwidth_GBps": 1}],
      "latency_matrix": {"values_us": [[0, 1], [1, 0]]}})",
                     d));
  EXPECT_EQ(d.field, "/latency_matrix/values_us");
  EXPECT_NE(d.message.find("4 ranks"), std::string::npos) << d.message;
}

TEST(Topology, NonNestingLevelsAreRejected) {
  Diagnostic d;
  EXPECT_FALSE(parse("nodes: 4\ndevices_per_node: 1\nlevels:\n"
                     "  - {name: a, latency_us: 1, bandwidth_GBps: 1}\n"
                     "  - {name: r, latency_us: 1, bandwidth_GBps: 1, group_of_node: [0, 0, 1, 1]}\n"
                     "  - {name: p, latency_us: 1, bandwidth_GBps: 1, group_of_node: [0, 1, 1, 0]}\n"
                     "  - {name: b, latency_us: 1, bandwidth_GBps: 1}\n",
                     d));
  EXPECT_EQ(d.field, "/levels/2/group_of_node");
  EXPECT_NE(d.message.find("does not nest"), std::string::npos);
}

std::string withMatrix(const std::string &rows) {
  return R"({"nodes": 3, "devices_per_node": 1, "levels": [
      {"name": "a", "latency_us": 1, "bandwidth_GBps": 1},
      {"name": "b", "latency_us": 1, "bandwidth_GBps": 1}],
      "latency_matrix": {"granularity": "node", "values_us": )" +
         rows + "}, \"clusters\": \"none\"}";
}

TEST(Topology, NonMetricMatricesAreRejected) {
  Diagnostic d;
  ASSERT_TRUE(parse(withMatrix("[[0,1,2],[1,0,1],[2,1,0]]"), d)) << d.str();

  EXPECT_FALSE(parse(withMatrix("[[0,1,2],[3,0,1],[2,1,0]]"), d));
  EXPECT_EQ(d.field, "/latency_matrix/values_us/0/1");
  EXPECT_NE(d.message.find("not symmetric"), std::string::npos) << d.message;

  EXPECT_FALSE(parse(withMatrix("[[0,-1,2],[-1,0,1],[2,1,0]]"), d));
  EXPECT_NE(d.message.find("non-negative"), std::string::npos) << d.message;

  EXPECT_FALSE(parse(withMatrix("[[0,1,2],[1,4,1],[2,1,0]]"), d));
  EXPECT_EQ(d.field, "/latency_matrix/values_us/1/1");
  EXPECT_NE(d.message.find("itself"), std::string::npos) << d.message;

  EXPECT_FALSE(parse(withMatrix("[[0,1,5],[1,0,1],[5,1,0]]"), d));
  EXPECT_EQ(d.field, "/latency_matrix/values_us/0/2");
  EXPECT_NE(d.message.find("triangle"), std::string::npos) << d.message;

  EXPECT_FALSE(parse(withMatrix("[[0,1,2],[1,0],[2,1,0]]"), d));
  EXPECT_EQ(d.field, "/latency_matrix/values_us/1");
}

TEST(Topology, SyntaxErrorsHaveAPosition) {
  Diagnostic d;
  EXPECT_FALSE(parse("{\n  \"nodes\": 4,\n  \"devices_per_node\": ]\n}", d));
  EXPECT_EQ(d.line, 3);
  EXPECT_NE(d.message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(parse("nodes: 4\nlevels: [a, b\n", d));
  EXPECT_NE(d.message.find("not valid YAML"), std::string::npos);
  EXPECT_GT(d.line, 0);
  EXPECT_FALSE(parse("", d));
  EXPECT_FALSE(parse("[1, 2]", d));
  EXPECT_FALSE(parse(R"({"nodes": 4, "devices_per_node": 2, "levls": []})", d));
  EXPECT_EQ(d.field, "/levls");
  EXPECT_NE(d.message.find("unknown field"), std::string::npos);
}

TEST(Topology, WrongTypesAndRangesAreRejected) {
  Diagnostic d;
  std::string bad = kTwoLevel;
  bad.replace(bad.find("\"latency_us\": 10"), 16, "\"latency_us\": \"10\"");
  EXPECT_FALSE(parse(bad, d));
  EXPECT_EQ(d.field, "/levels/1/latency_us");
  bad = kTwoLevel;
  bad.replace(bad.find("\"bandwidth_GBps\": 50"), 20, "\"bandwidth_GBps\": 0");
  EXPECT_FALSE(parse(bad, d));
  EXPECT_EQ(d.field, "/levels/1/bandwidth_GBps");
  bad = kTwoLevel;
  bad.replace(bad.find("\"nodes\": 4"), 10, "\"nodes\": -4");
  EXPECT_FALSE(parse(bad, d));
  EXPECT_EQ(d.field, "/nodes");
  bad = kTwoLevel;
  bad.replace(bad.find("\"nodes\": 4"), 10, "\"nodes\": 4000000000000");
  EXPECT_FALSE(parse(bad, d));
}

TEST(Topology, GarbageNeverCrashes) {
  // A small fuzz loop over mutations of a valid description.
  std::mt19937 rng(7);
  std::string base = kTwoLevel;
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
      case 0:
        s[pos] = static_cast<char>(rng() % 128);
        break;
      case 1:
        s.erase(pos, 1 + rng() % 8);
        break;
      default:
        s.insert(pos, 1, "{}[]:,\"-0e9"[rng() % 11]);
      }
      if (s.empty())
        s = "{";
    }
    Diagnostic d;
    auto t = parseTopology(s, d, i % 2 ? Format::JSON : Format::YAML);
    if (!t) {
      EXPECT_FALSE(d.message.empty()) << s;
    }
  }
}

TEST(Clustering, RecoversInterleavedPodsFromRankLatencies) {
  Diagnostic d;
  std::string text = R"({"nodes": 16, "devices_per_node": 2, "levels": [
      {"name": "nvlink", "latency_us": 1, "bandwidth_GBps": 450},
      {"name": "fabric", "latency_us": 5, "bandwidth_GBps": 50}],
      "latency_matrix": {"values_us": )" +
                     matrixJson(16, 2, [](int n) { return n % 4; }, 1, 5, 50) + "}}";
  auto t = parse(text, d);
  ASSERT_TRUE(t) << d.str();
  ASSERT_EQ(t->numLevels(), 3);
  EXPECT_EQ(t->levels[1].name, "cluster");
  EXPECT_EQ(t->numGroups(1), 4);
  for (int n = 0; n < 16; ++n)
    for (int m = 0; m < 16; ++m)
      EXPECT_EQ(t->groupOf(1, n) == t->groupOf(1, m), n % 4 == m % 4);
  EXPECT_NEAR(t->levels[1].alpha, 5e-6, 1e-12);
  EXPECT_NEAR(t->levels[2].alpha, 50e-6, 1e-12);
}

TEST(Clustering, SilhouettePicksKAndGivenKIsObeyed) {
  LatencyMatrix m;
  m.granularity = LatencyMatrix::Granularity::Node;
  m.size = 12;
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j)
      m.values.push_back(i == j ? 0 : i / 4 == j / 4 ? 2e-6 : 30e-6);
  Clustering c = clusterLatencies(m);
  EXPECT_EQ(c.k, 3);
  EXPECT_GT(c.silhouette, 0.5);
  EXPECT_GT(c.silhouette, c.silhouetteByK[2]);
  Clustering forced = clusterLatencies(m, 2);
  EXPECT_EQ(forced.k, 2);

  // A uniform matrix has no structure: k stays 1.
  LatencyMatrix flat = m;
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j)
      flat.values[i * 12 + j] = i == j ? 0 : 5e-6;
  EXPECT_EQ(clusterLatencies(flat).k, 1);
}

TEST(Clustering, UnequalOrNodeSplittingClustersAreRejected) {
  Diagnostic d;
  // Pods of 3 and 1 nodes.
  std::string text = R"({"nodes": 4, "devices_per_node": 1, "levels": [
      {"name": "a", "latency_us": 1, "bandwidth_GBps": 1},
      {"name": "b", "latency_us": 1, "bandwidth_GBps": 1}],
      "latency_matrix": {"values_us": )" +
                     matrixJson(4, 1, [](int n) { return n < 3; }, 1, 5, 50) +
                     "}, \"clusters\": 2}";
  EXPECT_FALSE(parse(text, d));
  EXPECT_NE(d.message.find("unequal"), std::string::npos) << d.message;
  EXPECT_EQ(d.field, "/latency_matrix");

  // Two ranks of one node far apart while nodes are close: clusters split
  // nodes.
  std::string split = R"({"nodes": 2, "devices_per_node": 2, "levels": [
      {"name": "a", "latency_us": 1, "bandwidth_GBps": 1},
      {"name": "b", "latency_us": 1, "bandwidth_GBps": 1}],
      "latency_matrix": {"values_us": [[0,50,1,50],[50,0,50,1],[1,50,0,50],[50,1,50,0]]},
      "clusters": 2})";
  EXPECT_FALSE(parse(split, d));
  EXPECT_NE(d.message.find("splits node"), std::string::npos) << d.message;
}

} // namespace
