//===- CollectivePlanTest.cpp - Groups, reductions and step plans --------===//
//
// Runs every (collective, algorithm) plan for all ranks of a group in one
// process (dsrt::coll::simulate) and compares with a directly computed
// reference, for group sizes 1-8 and uneven counts.
//
//===----------------------------------------------------------------------===//
#include "Core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

using namespace dsrt::coll;

namespace {

Group groupOf(int n, int index) {
  Group g;
  g.members.resize(n);
  std::iota(g.members.begin(), g.members.end(), 0);
  g.index = index;
  return g;
}

TEST(CollGroup, RowMajorMeshAxes) {
  int64_t mesh[] = {2, 3};
  Group g;
  std::string err;
  int32_t ax1[] = {1};
  ASSERT_TRUE(computeGroup(4, 6, mesh, 2, ax1, 1, g, err)) << err;
  EXPECT_EQ(g.members, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(g.index, 1);
  int32_t ax0[] = {0};
  ASSERT_TRUE(computeGroup(4, 6, mesh, 2, ax0, 1, g, err)) << err;
  EXPECT_EQ(g.members, (std::vector<int>{1, 4}));
  EXPECT_EQ(g.index, 1);
  // Axes order defines the group index: (axis 1, axis 0) makes axis 0 the
  // fastest-varying coordinate.
  int32_t ax10[] = {1, 0};
  ASSERT_TRUE(computeGroup(4, 6, mesh, 2, ax10, 2, g, err)) << err;
  EXPECT_EQ(g.members, (std::vector<int>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(g.index, 3);
  int32_t ax01[] = {0, 1};
  ASSERT_TRUE(computeGroup(4, 6, mesh, 2, ax01, 2, g, err)) << err;
  EXPECT_EQ(g.members, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(g.index, 4);
  // No axes: a group of one.
  ASSERT_TRUE(computeGroup(4, 6, mesh, 2, nullptr, 0, g, err)) << err;
  EXPECT_EQ(g.members, (std::vector<int>{4}));
}

TEST(CollGroup, Rejections) {
  int64_t mesh[] = {2, 3};
  Group g;
  std::string err;
  int32_t ax[] = {0};
  EXPECT_FALSE(computeGroup(0, 4, mesh, 2, ax, 1, g, err));
  EXPECT_NE(err.find("mesh [2x3] has 6 devices but the world has 4 ranks"), std::string::npos) << err;
  int32_t bad[] = {2};
  EXPECT_FALSE(computeGroup(0, 6, mesh, 2, bad, 1, g, err));
  EXPECT_NE(err.find("axis 2 is out of range"), std::string::npos) << err;
  int32_t rep[] = {1, 1};
  EXPECT_FALSE(computeGroup(0, 6, mesh, 2, rep, 2, g, err));
  EXPECT_NE(err.find("repeated"), std::string::npos) << err;
  int64_t zero[] = {0, 3};
  EXPECT_FALSE(computeGroup(0, 6, zero, 2, ax, 1, g, err));
  EXPECT_NE(err.find("size 0"), std::string::npos) << err;
}

TEST(CollReduce, DTypes) {
  float a[] = {1, -2}, b[] = {3, 5};
  ASSERT_TRUE(reduceInto(a, b, 2, DSRT_F32, DSRT_RED_SUM));
  EXPECT_EQ(a[0], 4.f);
  EXPECT_EQ(a[1], 3.f);
  int64_t i[] = {4, -7}, j[] = {2, 9};
  ASSERT_TRUE(reduceInto(i, j, 2, DSRT_I64, DSRT_RED_MIN));
  EXPECT_EQ(i[0], 2);
  EXPECT_EQ(i[1], -7);
  uint8_t p[] = {0, 1, 1}, q[] = {0, 0, 1};
  ASSERT_TRUE(reduceInto(p, q, 3, DSRT_BOOL, DSRT_RED_PROD)); // and
  EXPECT_EQ(p[0] + 2 * p[1] + 4 * p[2], 4);
  // f16: 1.5 + 2.25 = 3.75 (0x3C00 = 1.0).
  uint16_t h[] = {0x3E00}, k[] = {0x4080};
  ASSERT_TRUE(reduceInto(h, k, 1, DSRT_F16, DSRT_RED_SUM));
  EXPECT_EQ(h[0], 0x4380);
  // bf16: 1.0 * -2.0 = -2.0.
  uint16_t bh[] = {0x3F80}, bk[] = {0xC000};
  ASSERT_TRUE(reduceInto(bh, bk, 1, DSRT_BF16, DSRT_RED_PROD));
  EXPECT_EQ(bh[0], 0xC000);
  EXPECT_FALSE(reduceInto(a, b, 2, DSRT_F32, 7));
  EXPECT_FALSE(reduceInto(a, b, 2, 99, DSRT_RED_SUM));
}

/// Input of rank r, element i (int32, distinct per rank and element).
int32_t valueOf(int r, int64_t i) { return static_cast<int32_t>((r + 1) * 1000 + i % 997); }

std::vector<char> bytesOf(const std::vector<int32_t> &v) {
  std::vector<char> b(v.size() * 4);
  if (!v.empty())
    std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<int32_t> ints(const std::vector<char> &b) {
  std::vector<int32_t> v(b.size() / 4);
  if (!v.empty())
    std::memcpy(v.data(), b.data(), b.size());
  return v;
}

/// Simulates `kind` over n ranks and checks every rank's result.
void check(Kind kind, int n, int64_t count, int32_t algo, const Topology &topo,
           int chunks = 0, int64_t root = 0) {
  SCOPED_TRACE(std::string(kindName(kind)) + " n=" + std::to_string(n) +
               " count=" + std::to_string(count) + " algo=" + algorithmName(algo));
  std::vector<Plan> plans;
  std::vector<std::vector<char>> work(n), input(n);
  PlanOptions opt;
  opt.chunks = chunks;
  for (int r = 0; r < n; ++r) {
    plans.push_back(buildPlan(kind, groupOf(n, r), count, algo, root, topo, opt));
    std::vector<int32_t> in, w(plans.back().workElems, -1);
    int64_t inCount = kind == Kind::AllReduce || kind == Kind::AllGather ||
                              kind == Kind::Broadcast ? count : count * n;
    for (int64_t i = 0; i < inCount; ++i)
      in.push_back(valueOf(r, i));
    // The executors' prologue: place the input in the working buffer.
    switch (kind) {
    case Kind::AllReduce: case Kind::ReduceScatter: w = in; break;
    case Kind::Broadcast: if (r == root) w = in; break;
    case Kind::AllGather:
      for (int64_t i = 0; i < count; ++i) w[r * count + i] = in[i];
      break;
    case Kind::AllToAll:
      for (int64_t i = 0; i < count; ++i) w[r * count + i] = in[r * count + i];
      break;
    }
    work[r] = bytesOf(w);
    input[r] = bytesOf(in);
  }
  std::vector<int> world(n);
  std::iota(world.begin(), world.end(), 0);
  std::string err = simulate(plans, world, work, input, DSRT_I32, DSRT_RED_SUM);
  ASSERT_EQ(err, "") << plans[0].description;
  for (int r = 0; r < n; ++r) {
    std::vector<int32_t> got = ints(work[r]);
    for (int64_t i = 0; i < count; ++i) {
      switch (kind) {
      case Kind::AllReduce: {
        int32_t want = 0;
        for (int s = 0; s < n; ++s) want += valueOf(s, i);
        ASSERT_EQ(got[i], want) << "rank " << r << " element " << i << " " << plans[r].description;
        break;
      }
      case Kind::ReduceScatter: {
        int32_t want = 0;
        for (int s = 0; s < n; ++s) want += valueOf(s, r * count + i);
        ASSERT_EQ(got[r * count + i], want) << "rank " << r << " element " << i;
        break;
      }
      case Kind::AllGather:
        for (int s = 0; s < n; ++s)
          ASSERT_EQ(got[s * count + i], valueOf(s, i)) << "rank " << r << " chunk " << s;
        break;
      case Kind::AllToAll:
        for (int s = 0; s < n; ++s)
          ASSERT_EQ(got[s * count + i], valueOf(s, r * count + i)) << "rank " << r << " chunk " << s;
        break;
      case Kind::Broadcast:
        ASSERT_EQ(got[i], valueOf(static_cast<int>(root), i)) << "rank " << r;
        break;
      }
    }
  }
}

TEST(CollPlan, FlatAlgorithmsAllSizes) {
  Topology none;
  for (int n = 1; n <= 8; ++n)
    for (int64_t count : {0, 1, 5, 64, 1001})
      for (int32_t algo : {DSRT_ALGO_AUTO, DSRT_ALGO_RING, DSRT_ALGO_TREE,
                           DSRT_ALGO_RABENSEIFNER, DSRT_ALGO_HIER2}) {
        check(Kind::AllReduce, n, count, algo, none);
        check(Kind::ReduceScatter, n, count, algo, none);
        check(Kind::AllGather, n, count, algo, none);
      }
  for (int n = 1; n <= 8; ++n)
    for (int64_t count : {0, 1, 7, 100}) {
      check(Kind::AllToAll, n, count, DSRT_ALGO_AUTO, none);
      for (int64_t root = 0; root < n; ++root)
        check(Kind::Broadcast, n, count, DSRT_ALGO_AUTO, none, 0, root);
    }
}

TEST(CollPlan, PipelinedTree) {
  Topology none;
  for (int n : {2, 3, 5, 8})
    for (int chunks : {1, 2, 3, 8})
      check(Kind::AllReduce, n, 1001, DSRT_ALGO_TREE, none, chunks);
}

Topology nodesOf(int n, int perNode, int nodesPerCluster = 0) {
  Topology t;
  for (int r = 0; r < n; ++r) {
    t.nodeOf.push_back(r / perNode);
    if (nodesPerCluster)
      t.clusterOf.push_back(r / perNode / nodesPerCluster);
  }
  return t;
}

TEST(CollPlan, Hierarchical) {
  for (auto [n, per] : {std::pair{4, 2}, {6, 2}, {6, 3}, {8, 2}, {8, 4}, {9, 3}})
    for (int chunks : {1, 2, 4})
      for (int64_t count : {1, 7, 1000})
        check(Kind::AllReduce, n, count, DSRT_ALGO_HIER2, nodesOf(n, per), chunks);
  for (auto [n, per, npc] : {std::tuple{8, 2, 2}, {12, 2, 3}, {16, 2, 2}, {8, 1, 2}})
    for (int chunks : {1, 3})
      for (int64_t count : {5, 999})
        check(Kind::AllReduce, n, count, DSRT_ALGO_HIER3, nodesOf(n, per, npc), chunks);
  // Reduce-scatter and all-gather by level.
  for (auto [n, per, npc] : {std::tuple{4, 2, 0}, {6, 3, 0}, {6, 2, 0}, {8, 2, 2}, {12, 2, 3}})
    for (int64_t count : {0, 1, 7, 100})
      for (Kind kind : {Kind::ReduceScatter, Kind::AllGather}) {
        check(kind, n, count, DSRT_ALGO_HIER2, nodesOf(n, per));
        if (npc)
          check(kind, n, count, DSRT_ALGO_HIER3, nodesOf(n, per, npc));
      }
}

TEST(CollPlan, HierarchicalAllGatherCrossesNodesOnce) {
  // 2 nodes x 2 ranks, rank 1 = (local 1, node 0): first the inter-node
  // ring with rank 3 (one chunk), then the intra-node ring with rank 0
  // carrying two chunks (its own node's and the one it got from node 1).
  Plan p = buildPlan(Kind::AllGather, groupOf(4, 1), 10, DSRT_ALGO_HIER2, 0, nodesOf(4, 2));
  EXPECT_EQ(p.description, "hier2(all_gather by level)");
  ASSERT_EQ(p.rounds.size(), 2u);
  ASSERT_EQ(p.rounds[0].sends.size(), 1u);
  EXPECT_EQ(p.rounds[0].sends[0].peer, 3);
  EXPECT_EQ(p.rounds[0].sends[0].offset, 10);
  ASSERT_EQ(p.rounds[1].sends.size(), 2u);
  EXPECT_EQ(p.rounds[1].sends[0].peer, 0);
  EXPECT_EQ(p.rounds[1].sends[0].offset, 10);
  EXPECT_EQ(p.rounds[1].sends[1].offset, 30);
  // Reduce-scatter: intra-node first (two chunks to reduce), then inter.
  Plan q = buildPlan(Kind::ReduceScatter, groupOf(4, 1), 10, DSRT_ALGO_HIER2, 0, nodesOf(4, 2));
  ASSERT_EQ(q.rounds.size(), 2u);
  EXPECT_EQ(q.rounds[0].sends.size(), 2u);
  EXPECT_EQ(q.rounds[0].sends[0].peer, 0);
  EXPECT_EQ(q.rounds[1].sends.size(), 1u);
  EXPECT_EQ(q.rounds[1].sends[0].peer, 3);
  EXPECT_TRUE(q.rounds[1].recvs[0].reduce);
}

TEST(CollPlan, RingStructure) {
  Plan p = buildPlan(Kind::AllReduce, groupOf(4, 1), 100, DSRT_ALGO_RING, 0, {});
  ASSERT_EQ(p.rounds.size(), 6u); // 2(n-1)
  for (const Round &r : p.rounds) {
    ASSERT_EQ(r.sends.size(), 1u);
    ASSERT_EQ(r.recvs.size(), 1u);
    EXPECT_EQ(r.sends[0].peer, 2); // right neighbour
    EXPECT_EQ(r.recvs[0].peer, 0); // left neighbour
    EXPECT_EQ(r.sends[0].count, 25);
  }
  for (int k = 0; k < 3; ++k)
    EXPECT_TRUE(p.rounds[k].recvs[0].reduce);
  for (int k = 3; k < 6; ++k)
    EXPECT_FALSE(p.rounds[k].recvs[0].reduce);
  EXPECT_EQ(p.maxTempElems(), 25);
  EXPECT_EQ(p.description, "ring");
}

TEST(CollPlan, DoubleBinaryTreeStructure) {
  // 7 ranks: in-order trees of height 2. Tree 1's leaves are positions
  // 0, 2, 4, 6; tree 2 is shifted by one, so rank 0 (a leaf of tree 1) is
  // interior in tree 2 and receives from its children there. No rank is a
  // leaf of both trees: every rank receives in the reduce phase.
  Plan p = buildPlan(Kind::AllReduce, groupOf(7, 0), 700, DSRT_ALGO_TREE, 0, {}, {1, 4});
  EXPECT_EQ(p.description, "tree(double binary,chunks=1)");
  ASSERT_EQ(p.rounds.size(), 4u); // 2 reduce + 2 broadcast levels
  int reduceRecvs = 0;
  for (int k = 0; k < 2; ++k)
    for (const Xfer &x : p.rounds[k].recvs)
      reduceRecvs += x.reduce;
  EXPECT_GE(reduceRecvs, 1);
  for (int r = 0; r < 7; ++r) {
    Plan q = buildPlan(Kind::AllReduce, groupOf(7, r), 700, DSRT_ALGO_TREE, 0, {}, {1, 4});
    int recvsInReduce = 0;
    for (int k = 0; k < 2 && k < static_cast<int>(q.rounds.size()); ++k)
      recvsInReduce += static_cast<int>(q.rounds[k].recvs.size());
    EXPECT_GE(recvsInReduce, 1) << "rank " << r << " is a leaf in both trees";
  }
  // Each tree carries half of the data.
  EXPECT_EQ(p.rounds[0].sends.empty() ? p.rounds[1].sends[0].count
                                      : p.rounds[0].sends[0].count,
            350);
}

TEST(CollPlan, RabenseifnerStructure) {
  // Power of two: log2(8) halving + log2(8) doubling rounds, partners at
  // distance 4, 2, 1 then 1, 2, 4; message sizes halve then double.
  Plan p = buildPlan(Kind::AllReduce, groupOf(8, 0), 800, DSRT_ALGO_RABENSEIFNER, 0, {});
  ASSERT_EQ(p.rounds.size(), 6u);
  std::vector<int> peers, sizes;
  for (const Round &r : p.rounds) {
    peers.push_back(r.sends[0].peer);
    sizes.push_back(static_cast<int>(r.sends[0].count));
  }
  EXPECT_EQ(peers, (std::vector<int>{4, 2, 1, 1, 2, 4}));
  EXPECT_EQ(sizes, (std::vector<int>{400, 200, 100, 100, 200, 400}));
  // Non-power of two (6): ranks 0 and 2 fold into 1 and 3 and sit out.
  Plan q = buildPlan(Kind::AllReduce, groupOf(6, 0), 60, DSRT_ALGO_RABENSEIFNER, 0, {});
  ASSERT_EQ(q.rounds.size(), 2u);
  EXPECT_EQ(q.rounds[0].sends[0].peer, 1);
  EXPECT_EQ(q.rounds[1].recvs[0].peer, 1);
}

TEST(CollPlan, HierarchicalStructure) {
  // 2 nodes x 2 ranks, rank 1 = (local 1, node 0): intra reduce-scatter
  // with rank 0, inter ring with rank 3 (same local rank), intra
  // all-gather with rank 0.
  Topology t = nodesOf(4, 2);
  Plan p = buildPlan(Kind::AllReduce, groupOf(4, 1), 100, DSRT_ALGO_HIER2, 0, t,
                     {/*chunks=*/1, 4});
  EXPECT_EQ(p.description, "hier2(levels=2x2,chunks=1)");
  ASSERT_EQ(p.rounds.size(), 4u);
  EXPECT_EQ(p.rounds[0].sends[0].peer, 0);
  EXPECT_EQ(p.rounds[1].sends[0].peer, 3);
  EXPECT_EQ(p.rounds[1].sends[0].count, 25);
  EXPECT_EQ(p.rounds[2].sends[0].peer, 3);
  EXPECT_EQ(p.rounds[3].sends[0].peer, 0);
  // Pipelined in 4 chunks: 4 phases-rounds per chunk overlap, 4+4-1 rounds,
  // and the middle rounds carry intra- and inter-node messages together.
  Plan q = buildPlan(Kind::AllReduce, groupOf(4, 1), 100, DSRT_ALGO_HIER2, 0, t,
                     {/*chunks=*/4, 4});
  ASSERT_EQ(q.rounds.size(), 7u);
  EXPECT_EQ(q.rounds[1].sends.size(), 2u);
  EXPECT_EQ(q.rounds[1].sends[0].peer, 3); // chunk 0, inter-node
  EXPECT_EQ(q.rounds[1].sends[1].peer, 0); // chunk 1, intra-node
}

TEST(CollPlan, HierarchicalFallbacks) {
  // Nodes of different sizes (3 + 1): ring, and the reason is stated.
  Topology t;
  t.nodeOf = {0, 0, 0, 1};
  Plan p = buildPlan(Kind::AllReduce, groupOf(4, 0), 10, DSRT_ALGO_HIER2, 0, t);
  EXPECT_EQ(p.description, "ring (hier2 unusable: nodes hold different numbers of group members)");
  Plan q = buildPlan(Kind::AllReduce, groupOf(4, 0), 10, DSRT_ALGO_HIER3, 0, nodesOf(4, 2));
  EXPECT_EQ(q.description, "ring (hier3 unusable: the topology has no cluster level)");
  check(Kind::AllReduce, 4, 10, DSRT_ALGO_HIER2, t);
}

TEST(CollPlan, SimulatorCatchesMismatch) {
  // A plan set where rank 1 expects more than rank 0 sends must fail.
  std::vector<Plan> plans(2);
  plans[0].rounds.push_back({{{1, Buf::Work, 0, 2, false}}, {}});
  plans[1].rounds.push_back({{}, {{0, Buf::Work, 0, 3, false}}});
  std::vector<std::vector<char>> work(2, std::vector<char>(16)), in(2);
  EXPECT_NE(simulate(plans, {0, 1}, work, in, DSRT_I32, DSRT_RED_SUM), "");
  // And a receive nobody sends deadlocks.
  std::vector<Plan> dead(2);
  dead[0].rounds.push_back({{}, {{1, Buf::Work, 0, 1, false}}});
  dead[1].rounds.push_back({{}, {{0, Buf::Work, 0, 1, false}}});
  EXPECT_NE(simulate(dead, {0, 1}, work, in, DSRT_I32, DSRT_RED_SUM).find("deadlock"),
            std::string::npos);
}

} // namespace
