//===- CollectivesTest.cpp - simulator vs closed forms, choice, NCCL ------===//

#include "ds/Collectives/ClosedForm.h"
#include "ds/Collectives/NCCLModel.h"
#include "ds/Collectives/Schedule.h"
#include "ds/Collectives/Simulator.h"

#include "../../../lib/Collectives/Internal.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace ds;
using namespace ds::coll;

namespace {

// The runtime ABI's values (docs: coll-abi; dsrt_coll_algorithm).
static_assert(static_cast<int>(Algorithm::Auto) == 0 && static_cast<int>(Algorithm::Ring) == 1 &&
                  static_cast<int>(Algorithm::Tree) == 2 &&
                  static_cast<int>(Algorithm::Rabenseifner) == 3 &&
                  static_cast<int>(Algorithm::Hier2) == 4 &&
                  static_cast<int>(Algorithm::Hier3) == 5 &&
                  static_cast<int>(Algorithm::Native) == 6,
              "Algorithm must match DSRT_ALGO_*");

topo::Topology make(int64_t nodes, int64_t dpn, double a0, double b0, double a1, double b1) {
  topo::Topology t;
  t.name = "test";
  t.nodes = nodes;
  t.devicesPerNode = dpn;
  t.levels.push_back({"intra", a0, b0});
  t.levels.push_back({"net", a1, b1});
  topo::Diagnostic d;
  EXPECT_TRUE(topo::verifyTopology(t, d)) << d.str();
  return t;
}

/// One network level: p ranks, one per node.
topo::Topology flat(int64_t p, double a, double b) { return make(p, 1, 0, 1e12, a, b); }

double sim(const topo::Topology &t, Algorithm a, uint64_t bytes, Plan *out = nullptr,
           int64_t chunks = 0) {
  std::string why;
  std::optional<Plan> plan = buildPlan(t, CollectiveKind::AllReduce, a, bytes, chunks, why);
  EXPECT_TRUE(plan) << why;
  if (!plan)
    return -1;
  if (out)
    *out = *plan;
  return simulate(t, *plan).seconds;
}

const uint64_t kSizes[] = {1024, 64 << 10, 1 << 20, 16 << 20, 256 << 20, 1u << 30};

TEST(ClosedForm, RingMatchesWithinOnePercent) {
  for (int64_t p : {2, 5, 16, 64})
    for (uint64_t n : kSizes) {
      auto t = flat(p, 5e-6, 25e9);
      double want = closed::ringAllReduce(p, n, 5e-6, 25e9);
      EXPECT_NEAR(sim(t, Algorithm::Ring, n), want, 0.01 * want) << "p=" << p << " n=" << n;
    }
}

TEST(ClosedForm, RabenseifnerMatchesWithinOnePercent) {
  for (int64_t p : {2, 8, 64, 256})
    for (uint64_t n : kSizes) {
      auto t = flat(p, 3e-6, 50e9);
      double want = closed::halvingDoublingAllReduce(p, n, 3e-6, 50e9);
      EXPECT_NEAR(sim(t, Algorithm::Rabenseifner, n), want, 0.01 * want)
          << "p=" << p << " n=" << n;
    }
}

TEST(ClosedForm, DoubleBinaryTreeMatchesWithinOnePercent) {
  for (int64_t p : {4, 16, 128})
    for (uint64_t n : kSizes) {
      auto t = flat(p, 2e-6, 40e9);
      Plan plan;
      double got = sim(t, Algorithm::Tree, n, &plan);
      double want = closed::doubleTreeAllReduce(p, n, 2e-6, 40e9, plan.segments);
      EXPECT_NEAR(got, want, 0.01 * want) << "p=" << p << " n=" << n << " k=" << plan.segments;
    }
}

TEST(ClosedForm, TreeSegmentsApproachTheBandwidthBound) {
  // Pipelining makes the tree bandwidth-optimal for large messages: 2 n / b.
  auto t = flat(128, 2e-6, 40e9);
  double n = 1u << 30;
  EXPECT_LT(sim(t, Algorithm::Tree, n), 1.05 * 2 * n / 40e9);
}

TEST(ClosedForm, Hier2MatchesWithinOnePercent) {
  const double a0 = 0.7e-6, b0 = 450e9, a1 = 5e-6, b1 = 50e9;
  for (int64_t nodes : {4, 8, 32})
    for (int64_t d : {2, 4, 8})
      for (uint64_t n : kSizes) {
        auto t = make(nodes, d, a0, b0, a1, b1);
        Plan plan;
        double got = sim(t, Algorithm::Hier2, n, &plan, /*chunks=*/1);
        ASSERT_EQ(plan.stages.size(), 3u);
        // Intra-node stages: recursive halving/doubling when d > 2 is a
        // power of two and cheaper, else a ring; inter-node: what the note
        // says.
        double rsRing = closed::ringReduceScatter(d, n, a0, b0);
        double rsHalving = std::log2(double(d)) * a0 + double(d - 1) / d * n / b0;
        bool halving = plan.stages[0].what.find("halving") != std::string::npos;
        double intra = halving ? rsHalving : rsRing;
        double m = n / double(d), inter;
        if (plan.note.find("ring") != std::string::npos)
          inter = closed::ringAllReduce(nodes, m, a1, b1);
        else if (plan.note.find("halving") != std::string::npos)
          inter = closed::halvingDoublingAllReduce(nodes, m, a1, b1);
        else {
          size_t at = plan.note.find("tree, ");
          ASSERT_NE(at, std::string::npos) << plan.note;
          int64_t k = std::stoll(plan.note.substr(at + 6));
          inter = closed::doubleTreeAllReduce(nodes, m, a1, b1, k);
        }
        double want = 2 * intra + inter;
        EXPECT_NEAR(got, want, 0.01 * want)
            << nodes << "x" << d << " n=" << n << " " << plan.note;
      }
}

TEST(Pipeline, TwoStagesOnDifferentPortsOverlap) {
  std::vector<StageTiming> s(2);
  s[0].transfer = 4;
  s[0].demand = {{0, 4.0}};
  s[1].transfer = 2;
  s[1].demand = {{1, 2.0}};
  // Chunk c of stage 1 runs while chunk c+1 of stage 0 does:
  // T(C) = (4 + 2) / C + (C - 1) * 4 / C.
  for (int64_t C : {1, 2, 4, 16})
    EXPECT_NEAR(detail::pipelineSeconds(s, C), 6.0 / C + (C - 1) * 4.0 / C, 1e-9) << C;
  // On the same port they share it: no overlap gain.
  s[1].demand = {{0, 2.0}};
  for (int64_t C : {1, 2, 8})
    EXPECT_NEAR(detail::pipelineSeconds(s, C), 6.0, 1e-9) << C;
}

TEST(Simulator, OversubscribedUplinksAreShared) {
  // 4 nodes in 2 pods, uplinks 4x oversubscribed: a ring that crosses the
  // pods on every hop (node order 0, 1, 2, 3 with pods {0, 2}, {1, 3})
  // shares each pod's thin uplink among all its ranks' flows.
  topo::Topology t = make(4, 1, 0, 1e12, 1e-6, 10e9);
  t.levels.insert(t.levels.begin() + 1, topo::Level{"pod", 1e-6, 10e9, 1, {0, 1, 0, 1}});
  t.levels[2].oversubscription = 4;
  topo::Diagnostic d;
  ASSERT_TRUE(topo::verifyTopology(t, d)) << d.str();
  Step s;
  for (int64_t r = 0; r < 4; ++r)
    s.flows.push_back({r, (r + 1) % 4, 1e6});
  auto price = detail::priceStep(t, s);
  // Two flows leave each pod; its uplink carries 2 ranks * 10 GB/s / 4 =
  // 5 GB/s, shared by two flows: 2.5 GB/s each.
  EXPECT_NEAR(price.transfer, 1e6 / 2.5e9, 1e-12);
  // Without oversubscription each flow has its rank's full 10 GB/s.
  t.levels[2].oversubscription = 1;
  EXPECT_NEAR(detail::priceStep(t, s).transfer, 1e6 / 10e9, 1e-12);
}

TEST(Choice, PicksTheCheapestCandidateAndExplains) {
  auto t = make(64, 8, 0.7e-6, 450e9, 5e-6, 50e9);
  for (uint64_t n : {uint64_t(4096), uint64_t(64) << 20}) {
    Schedule s = chooseSchedule(t, CollectiveKind::AllReduce, n);
    ASSERT_GT(s.predictedSeconds, 0);
    for (const Candidate &c : s.candidates) {
      if (c.applicable) {
        EXPECT_LE(s.predictedSeconds, c.seconds);
      }
    }
    std::string r = report(s);
    EXPECT_NE(r.find("<- chosen"), std::string::npos);
    EXPECT_NE(r.find("hier3"), std::string::npos); // listed, as n/a
    EXPECT_NE(r.find("n/a"), std::string::npos);
  }
  // Small messages are latency bound: not the 2(p-1)-step ring.
  EXPECT_NE(chooseSchedule(t, CollectiveKind::AllReduce, 1024).algorithm, Algorithm::Ring);
}

TEST(Choice, OtherCollectivesHavePlans) {
  auto t = make(16, 4, 0.7e-6, 450e9, 5e-6, 50e9);
  for (CollectiveKind k : {CollectiveKind::AllGather, CollectiveKind::ReduceScatter,
                           CollectiveKind::Broadcast, CollectiveKind::AllToAll}) {
    Schedule s = chooseSchedule(t, k, 8 << 20);
    EXPECT_GT(s.predictedSeconds, 0) << toString(k) << ": " << s.explanation;
  }
  // Ring all-gather on one level is (p-1) a + (p-1)/p n / b.
  auto f = flat(8, 5e-6, 25e9);
  std::string why;
  auto plan = buildPlan(f, CollectiveKind::AllGather, Algorithm::Ring, 1 << 20, 0, why);
  ASSERT_TRUE(plan);
  double want = closed::ringReduceScatter(8, 1 << 20, 5e-6, 25e9);
  EXPECT_NEAR(simulate(f, *plan).seconds, want, 0.01 * want);
  // Inapplicable combinations say why.
  EXPECT_FALSE(buildPlan(f, CollectiveKind::AllReduce, Algorithm::Hier3, 1024, 0, why));
  EXPECT_NE(why.find("no level"), std::string::npos);
  EXPECT_FALSE(buildPlan(f, CollectiveKind::AllToAll, Algorithm::Ring, 1024, 0, why));
}

TEST(Choice, GroupsAreRestricted) {
  auto t = make(4, 4, 0.7e-6, 450e9, 5e-6, 50e9);
  std::string err;
  auto rail = restrictTo(t, Group{{1, 5, 9, 13}}, err);
  ASSERT_TRUE(rail) << err;
  EXPECT_EQ(rail->nodes, 4);
  EXPECT_EQ(rail->devicesPerNode, 1);
  auto node = restrictTo(t, Group{{4, 5, 6, 7}}, err);
  ASSERT_TRUE(node) << err;
  EXPECT_EQ(node->nodes, 1);
  EXPECT_FALSE(restrictTo(t, Group{{0, 1, 4}}, err));
  EXPECT_NE(err.find("regular"), std::string::npos);
  EXPECT_FALSE(restrictTo(t, Group{{0, 99}}, err));
  Schedule s = chooseSchedule(t, CollectiveKind::AllReduce, 1 << 20, Group{{0, 1, 4}});
  EXPECT_EQ(s.algorithm, Algorithm::Auto);
  EXPECT_NE(s.explanation.find("cannot schedule"), std::string::npos);
}

TEST(NCCL, ReproducesTheTuningModel) {
  // 1024 x 8, NVLink + one 50 GB/s NIC per GPU: 16 channels of 25 GB/s.
  auto t = make(1024, 8, 0.7e-6, 450e9, 5e-6, 50e9);
  NcclTuning tu = ncclTuningFor(t);
  EXPECT_EQ(tu.nChannels, 16);
  EXPECT_DOUBLE_EQ(tu.speedInter, 25);
  // 1 KiB: tree/LL. Latency 4.4 + 2 ((8-1) * 0.52 * 1.8 + log2(1024) * 5.0)
  // us; bandwidth min(min(400, 235) * .9, 80) / 3.8 * .5 * 0.9 (correction
  // for log2(1024 / 64) = 4) GB/s.
  NcclChoice c = ncclChoose(t, CollectiveKind::AllReduce, 1024, tu);
  EXPECT_EQ(c.algorithm, Algorithm::Tree);
  EXPECT_EQ(c.protocol, NcclProtocol::LL);
  double lat = 4.4 + 2 * (7 * 0.52 * 1.8 + 10 * 5.0);
  double bw = 80.0 / 3.8 * 0.5 * 0.9;
  EXPECT_NEAR(c.modelSeconds * 1e6, lat + 1024 / (1000 * bw), 1e-3);
  // One node: rings over NVLink win for large messages.
  auto one = make(1, 8, 0.7e-6, 450e9, 5e-6, 50e9);
  EXPECT_EQ(ncclChoose(one, CollectiveKind::AllReduce, 1u << 30, ncclTuningFor(one)).algorithm,
            Algorithm::Ring);
  // Only rings for the other collectives in 2.7.5.
  EXPECT_EQ(ncclChoose(t, CollectiveKind::AllGather, 1024, tu).algorithm, Algorithm::Ring);
}

TEST(NCCL, DsIsNeverSlowerOnAUniformFabric) {
  auto t = make(64, 8, 0.7e-6, 450e9, 5e-6, 50e9);
  NcclTuning tu = ncclTuningFor(t);
  for (uint64_t n = 1024; n <= (1u << 30); n *= 8) {
    Schedule s = chooseSchedule(t, CollectiveKind::AllReduce, n);
    std::string err;
    double nccl =
        ncclSimulatedSeconds(t, CollectiveKind::AllReduce, n, ncclChoose(t, CollectiveKind::AllReduce, n, tu), err);
    ASSERT_GT(nccl, 0) << err;
    EXPECT_LE(s.predictedSeconds, nccl * (1 + 1e-9)) << n;
  }
}

} // namespace
