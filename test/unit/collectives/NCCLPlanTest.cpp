//===- NCCLPlanTest.cpp - NCCL backend plan construction (no GPU) --------===//
#include "nccl/NCCLPlan.h"

#include <gtest/gtest.h>

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

Topology nodes(int n, int perNode, int perCluster = 0) {
  Topology t;
  for (int r = 0; r < n; ++r) {
    t.nodeOf.push_back(r / perNode);
    if (perCluster)
      t.clusterOf.push_back(r / perNode / perCluster);
  }
  return t;
}

TEST(NcclPlan, FlatAllReduceUsesTheGroupComm) {
  PlanOptions opt;
  NcclPlan p = buildNcclPlan(Kind::AllReduce, groupOf(4, 2), 1000, DSRT_ALGO_RING, 0, {}, opt);
  ASSERT_EQ(p.comms.size(), 1u);
  EXPECT_EQ(p.comms[0].level, "group");
  EXPECT_EQ(p.comms[0].members, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(p.comms[0].key, 2);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].op, NcclOp::AllReduce);
  EXPECT_EQ(p.steps[0].count, 1000);
  EXPECT_EQ(p.ncclAlgo, "Ring");
  EXPECT_TRUE(p.copyInput);
  NcclPlan r = buildNcclPlan(Kind::AllReduce, groupOf(4, 2), 1000, DSRT_ALGO_RABENSEIFNER, 0, {}, opt);
  EXPECT_EQ(r.description, "ncclAllReduce (NCCL has no recursive halving/doubling; NCCL chooses)");
}

TEST(NcclPlan, Hier2CommsAndSteps) {
  // 4 nodes x 2 GPUs, world rank 5 = (node 2, local 1).
  PlanOptions opt;
  opt.chunks = 2;
  NcclPlan p = buildNcclPlan(Kind::AllReduce, groupOf(8, 5), 1000, DSRT_ALGO_HIER2, 0,
                             nodes(8, 2), opt);
  ASSERT_EQ(p.comms.size(), 3u);
  EXPECT_EQ(p.comms[1].level, "node");
  EXPECT_EQ(p.comms[1].members, (std::vector<int>{4, 5}));
  EXPECT_EQ(p.comms[1].color, 4);
  EXPECT_EQ(p.comms[1].key, 1);
  EXPECT_EQ(p.comms[2].level, "inter-node");
  EXPECT_EQ(p.comms[2].members, (std::vector<int>{1, 3, 5, 7}));
  EXPECT_EQ(p.comms[2].color, 1);
  EXPECT_EQ(p.comms[2].key, 2);
  // Per chunk: reduce-scatter in the node, all-reduce across nodes on this
  // rank's half, all-gather in the node; each waits for the previous one.
  ASSERT_EQ(p.steps.size(), 6u);
  const NcclOp ops[] = {NcclOp::ReduceScatter, NcclOp::AllReduce, NcclOp::AllGather};
  for (int c = 0; c < 2; ++c)
    for (int k = 0; k < 3; ++k) {
      const NcclStep &s = p.steps[c * 3 + k];
      EXPECT_EQ(s.op, ops[k]);
      EXPECT_EQ(s.chunk, c);
      EXPECT_EQ(s.dependsOn, k == 0 ? -1 : c * 3 + k - 1);
      EXPECT_EQ(s.comm, k == 1 ? 2 : 1);
    }
  EXPECT_EQ(p.steps[0].offset, 0);
  EXPECT_EQ(p.steps[0].count, 250); // 500-element chunk over 2 ranks
  EXPECT_EQ(p.steps[1].offset, 250); // local rank 1's half
  EXPECT_EQ(p.steps[1].count, 250);
  EXPECT_EQ(p.steps[3].offset, 500);
  EXPECT_EQ(p.description, "hier2(levels=2x4,chunks=2)");
}

TEST(NcclPlan, Hier2RemainderGoesFlat) {
  PlanOptions opt;
  opt.chunks = 1;
  NcclPlan p = buildNcclPlan(Kind::AllReduce, groupOf(6, 0), 1001, DSRT_ALGO_HIER2, 0,
                             nodes(6, 3), opt);
  // 1001 = 333 * 3 + 2: the body through the levels, 2 elements flat.
  ASSERT_EQ(p.steps.size(), 4u);
  EXPECT_EQ(p.steps[0].count, 333);
  EXPECT_EQ(p.steps[3].op, NcclOp::AllReduce);
  EXPECT_EQ(p.steps[3].comm, 0);
  EXPECT_EQ(p.steps[3].offset, 999);
  EXPECT_EQ(p.steps[3].count, 2);
  EXPECT_EQ(p.description, "hier2(levels=3x2,chunks=1,remainder=2)");
}

TEST(NcclPlan, Hier3Levels) {
  // 8 nodes x 2 GPUs in 2 clusters of 4 nodes; rank 11 = cluster 1,
  // node 1 in the cluster (node 5), local 1.
  PlanOptions opt;
  opt.chunks = 1;
  NcclPlan p = buildNcclPlan(Kind::AllReduce, groupOf(16, 11), 1600, DSRT_ALGO_HIER3, 0,
                             nodes(16, 2, 4), opt);
  ASSERT_EQ(p.comms.size(), 4u);
  EXPECT_EQ(p.comms[1].level, "node");
  EXPECT_EQ(p.comms[1].members, (std::vector<int>{10, 11}));
  EXPECT_EQ(p.comms[2].level, "cluster");
  EXPECT_EQ(p.comms[2].members, (std::vector<int>{9, 11, 13, 15}));
  EXPECT_EQ(p.comms[3].level, "inter-cluster");
  EXPECT_EQ(p.comms[3].members, (std::vector<int>{3, 11}));
  ASSERT_EQ(p.steps.size(), 5u);
  EXPECT_EQ(p.steps[0].op, NcclOp::ReduceScatter);
  EXPECT_EQ(p.steps[0].count, 800);
  EXPECT_EQ(p.steps[1].op, NcclOp::ReduceScatter);
  EXPECT_EQ(p.steps[1].offset, 800);
  EXPECT_EQ(p.steps[1].count, 200);
  EXPECT_EQ(p.steps[2].op, NcclOp::AllReduce);
  EXPECT_EQ(p.steps[2].offset, 1000); // 800 + node-in-cluster 1 * 200
  EXPECT_EQ(p.steps[2].count, 200);
  EXPECT_EQ(p.steps[3].op, NcclOp::AllGather);
  EXPECT_EQ(p.steps[3].comm, 2);
  EXPECT_EQ(p.steps[4].op, NcclOp::AllGather);
  EXPECT_EQ(p.steps[4].comm, 1);
}

TEST(NcclPlan, FallbacksAndOtherCollectives) {
  PlanOptions opt;
  Topology uneven;
  uneven.nodeOf = {0, 0, 0, 1};
  NcclPlan p = buildNcclPlan(Kind::AllReduce, groupOf(4, 0), 10, DSRT_ALGO_HIER2, 0, uneven, opt);
  EXPECT_EQ(p.description,
            "ncclAllReduce (hier2 unusable: nodes hold different numbers of group members; NCCL chooses)");
  NcclPlan q = buildNcclPlan(Kind::AllReduce, groupOf(4, 0), 10, DSRT_ALGO_HIER3, 0, nodes(4, 2), opt);
  EXPECT_NE(q.description.find("no cluster level"), std::string::npos);
  NcclPlan ag = buildNcclPlan(Kind::AllGather, groupOf(4, 3), 10, DSRT_ALGO_AUTO, 0, {}, opt);
  ASSERT_EQ(ag.steps.size(), 1u);
  EXPECT_EQ(ag.steps[0].op, NcclOp::AllGather);
  EXPECT_TRUE(ag.copyInput);
  NcclPlan bc = buildNcclPlan(Kind::Broadcast, groupOf(4, 3), 10, DSRT_ALGO_AUTO, 2, {}, opt);
  EXPECT_EQ(bc.steps[0].op, NcclOp::Broadcast);
  EXPECT_EQ(bc.steps[0].root, 2);
  NcclPlan a2a = buildNcclPlan(Kind::AllToAll, groupOf(4, 3), 10, DSRT_ALGO_AUTO, 0, {}, opt);
  EXPECT_EQ(a2a.steps[0].op, NcclOp::AllToAll);
  // A column group of a 2x2 mesh: the comm holds only its members.
  Group col;
  col.members = {1, 3};
  col.index = 1;
  NcclPlan c = buildNcclPlan(Kind::ReduceScatter, col, 10, DSRT_ALGO_AUTO, 0, {}, opt);
  EXPECT_EQ(c.comms[0].members, (std::vector<int>{1, 3}));
  EXPECT_EQ(c.comms[0].color, 1);
  EXPECT_EQ(c.comms[0].key, 1);
}

} // namespace
