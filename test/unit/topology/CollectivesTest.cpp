//===- CollectivesTest.cpp - simulator vs closed forms, choice, NCCL ------===//

#include "ds/Collectives/ClosedForm.h"
#include "ds/Collectives/NCCLModel.h"
#include "ds/Collectives/Schedule.h"
#include "ds/Collectives/Simulator.h"

#include "../../../lib/Collectives/Internal.h"
#include "../../../lib/Collectives/Plans.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace ds;
using namespace ds::sched;

namespace {

// The runtime ABI's values (docs: coll-abi; dsrt_coll_algorithm).
static_assert(static_cast<int>(Algorithm::Auto) == 0 &&
                  static_cast<int>(Algorithm::Ring) == 1 &&
                  static_cast<int>(Algorithm::Tree) == 2 &&
                  static_cast<int>(Algorithm::Rabenseifner) == 3 &&
                  static_cast<int>(Algorithm::Hier2) == 4 &&
                  static_cast<int>(Algorithm::Hier3) == 5 &&
                  static_cast<int>(Algorithm::Native) == 6,
              "Algorithm must match DSRT_ALGO_*");

topo::Topology make(int64_t nodes, int64_t dpn, double a0, double b0, double a1,
                    double b1) {
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
topo::Topology flat(int64_t p, double a, double b) {
  return make(p, 1, 0, 1e12, a, b);
}

double sim(const topo::Topology &t, Algorithm a, uint64_t bytes,
           Plan *out = nullptr, int64_t chunks = 0) {
  std::string why;
  std::optional<Plan> plan =
      buildPlan(t, CollectiveKind::AllReduce, a, bytes, chunks, why);
  EXPECT_TRUE(plan) << why;
  if (!plan)
    return -1;
  if (out)
    *out = *plan;
  return simulate(t, *plan).seconds;
}

const uint64_t kSizes[] = {1024,     64 << 10,  1 << 20,
                           16 << 20, 256 << 20, 1u << 30};

TEST(ClosedForm, RingMatchesWithinOnePercent) {
  for (int64_t p : {2, 5, 16, 64})
    for (uint64_t n : kSizes) {
      auto t = flat(p, 5e-6, 25e9);
      double want = closed::ringAllReduce(p, n, 5e-6, 25e9);
      EXPECT_NEAR(sim(t, Algorithm::Ring, n), want, 0.01 * want)
          << "p=" << p << " n=" << n;
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
      double want =
          closed::doubleTreeAllReduce(p, n, 2e-6, 40e9, plan.segments);
      EXPECT_NEAR(got, want, 0.01 * want)
          << "p=" << p << " n=" << n << " k=" << plan.segments;
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
        double rsHalving =
            std::log2(double(d)) * a0 + double(d - 1) / d * n / b0;
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
    EXPECT_NEAR(detail::pipelineSeconds(s, C), 6.0 / C + (C - 1) * 4.0 / C,
                1e-9)
        << C;
  // On the same port they share it: no overlap gain.
  s[1].demand = {{0, 2.0}};
  for (int64_t C : {1, 2, 8})
    EXPECT_NEAR(detail::pipelineSeconds(s, C), 6.0, 1e-9) << C;
}

TEST(Pipeline, ConcurrentTasksShareAPortEquallyPerFlow) {
  // Three positions, two chunks. P0 and P1 use port 0 (1 and 0.25 per chunk
  // alone), P2 port 1 (2 per chunk). At t = 1 chunk 0 enters P1 while chunk
  // 1 enters P0: each flow gets half the port (as priceStep shares a port),
  // so chunk 0 leaves P1 at 1.5 and P2 runs 1.5..3.5, chunk 1 P2 3.5..5.5.
  // (Equal *fractions* of a chunk per second instead would hold chunk 0 in
  // P1 until 2.25 and end at 6.25.)
  std::vector<StageTiming> s(3);
  s[0].transfer = 2;
  s[0].demand = {{0, 2.0}};
  s[1].transfer = 0.5;
  s[1].demand = {{0, 0.5}};
  s[2].transfer = 4;
  s[2].demand = {{1, 4.0}};
  EXPECT_NEAR(detail::pipelineSeconds(s, 2), 5.5, 1e-9);
}

TEST(Pipeline, StepsOfAStageArePipelinedNotItsWholeLatency) {
  // Stage A moves 4 MB over a 1 GB/s intra-node port; stage B is three
  // latency-bound steps of 1 ms. Pipelined in C = 4 chunks, each step is a
  // position: 1 + 3 + (C - 1) * max(1, 1) = 7 ms. Were a stage's whole
  // latency (3 ms) paid by every chunk in turn, it would be
  // 1 + 3 + 3 * 3 = 13 ms.
  topo::Topology t = make(2, 2, 0, 1e9, 0, 1e9);
  Plan plan;
  plan.algorithm = Algorithm::Hier2;
  plan.chunks = 4;
  Stage a, b;
  Step move;
  move.flows.push_back({0, 1, 4e6});
  move.latency = 0.0;
  a.steps.push_back(move);
  for (int i = 0; i < 3; ++i) {
    Step wait;
    wait.flows.push_back({0, 2, 0});
    wait.latency = 1e-3;
    b.steps.push_back(wait);
  }
  plan.stages = {a, b};
  EXPECT_EQ(detail::pipelinePositions(t, plan).size(), 4u);
  EXPECT_NEAR(simulate(t, plan).seconds, 7e-3, 1e-9);
  plan.chunks = 1; // unpipelined: the sum
  EXPECT_NEAR(simulate(t, plan).seconds, 7e-3, 1e-9);
}

TEST(Pipeline, Hier3NearTheNodeCutOnContiguousPods) {
  // 64 nodes x 8 in 8 contiguous pods, 4x oversubscribed uplinks, 10x the
  // latency between pods. Each NIC must carry 2 (N-1)/N n/8 bytes; the
  // pipelined hier3 comes within 8% of that bound at 1 GiB (4.5% here;
  // pricing each stage's whole latency per chunk gave about 14%), and
  // its chosen chunk count must beat the unpipelined schedule.
  topo::Topology t = make(64, 8, 0.7e-6, 450e9, 50e-6, 50e9);
  std::vector<int32_t> pods(64);
  for (int n = 0; n < 64; ++n)
    pods[n] = n / 8;
  t.levels.insert(t.levels.begin() + 1,
                  topo::Level{"pod", 5e-6, 50e9, 1, pods});
  t.levels[2].oversubscription = 4;
  topo::Diagnostic d;
  ASSERT_TRUE(topo::verifyTopology(t, d)) << d.str();
  const uint64_t n = uint64_t(1) << 30;
  Plan plan;
  double got = sim(t, Algorithm::Hier3, n, &plan);
  double bound = 2.0 * 63 / 64 * n / 8 / 50e9;
  EXPECT_GT(plan.chunks, 1);
  EXPECT_LT(got, 1.08 * bound) << got / bound << " " << plan.chunks;
  EXPECT_LT(got, sim(t, Algorithm::Hier3, n, nullptr, 1));
}

TEST(Choice, InnerAllReduceIsChosenOnThePipelinedPlan) {
  // hier2's inter-node all-reduce is picked with the chunk count on the
  // whole pipelined plan: no other inner option at any chunk count is
  // faster in the simulator than the plan ds builds. On 12 nodes at 64 MiB
  // the ring is the fastest inter-node stage on its own, but one ring
  // position does not overlap with the NVLink stages: choosing on the
  // stage alone gave 1013 us, on the pipelined plan 805 us.
  topo::Topology t = make(12, 8, 0.7e-6, 450e9, 20e-6, 50e9);
  for (uint64_t n : {uint64_t(64) << 10, uint64_t(4) << 20, uint64_t(64) << 20,
                     uint64_t(1) << 30}) {
    Plan plan;
    double got = sim(t, Algorithm::Hier2, n, &plan);
    auto options = detail::innerAllReduceOptions(
        t, detail::railGroups(t, detail::nodeOrder(t, false)), n / 8.0,
        t.topLevel(), "inter-node");
    ASSERT_EQ(options.size(), 3u);
    for (auto &[name, stage] : options)
      for (int64_t c = 1; c <= 256 && c <= int64_t(n / 4096); c *= 2) {
        Plan other = plan;
        other.stages[1] = stage;
        other.chunks = c;
        EXPECT_LE(got, simulate(t, other).seconds * (1 + 1e-9))
            << n << " " << name << " " << c << " chunks vs " << plan.note
            << " in " << plan.chunks;
      }
  }
}

TEST(Simulator, OversubscribedUplinksAreShared) {
  // 4 nodes in 2 pods, uplinks 4x oversubscribed: a ring that crosses the
  // pods on every hop (node order 0, 1, 2, 3 with pods {0, 2}, {1, 3})
  // shares each pod's thin uplink among all its ranks' flows.
  topo::Topology t = make(4, 1, 0, 1e12, 1e-6, 10e9);
  t.levels.insert(t.levels.begin() + 1,
                  topo::Level{"pod", 1e-6, 10e9, 1, {0, 1, 0, 1}});
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
  EXPECT_NE(chooseSchedule(t, CollectiveKind::AllReduce, 1024).algorithm,
            Algorithm::Ring);
}

TEST(Choice, OtherCollectivesHavePlans) {
  auto t = make(16, 4, 0.7e-6, 450e9, 5e-6, 50e9);
  for (CollectiveKind k :
       {CollectiveKind::AllGather, CollectiveKind::ReduceScatter,
        CollectiveKind::Broadcast, CollectiveKind::AllToAll}) {
    Schedule s = chooseSchedule(t, k, 8 << 20);
    EXPECT_GT(s.predictedSeconds, 0) << toString(k) << ": " << s.explanation;
  }
  // Ring all-gather on one level is (p-1) a + (p-1)/p n / b.
  auto f = flat(8, 5e-6, 25e9);
  std::string why;
  auto plan =
      buildPlan(f, CollectiveKind::AllGather, Algorithm::Ring, 1 << 20, 0, why);
  ASSERT_TRUE(plan);
  double want = closed::ringReduceScatter(8, 1 << 20, 5e-6, 25e9);
  EXPECT_NEAR(simulate(f, *plan).seconds, want, 0.01 * want);
  // Inapplicable combinations say why.
  EXPECT_FALSE(
      buildPlan(f, CollectiveKind::AllReduce, Algorithm::Hier3, 1024, 0, why));
  EXPECT_NE(why.find("no level"), std::string::npos);
  EXPECT_FALSE(
      buildPlan(f, CollectiveKind::AllToAll, Algorithm::Ring, 1024, 0, why));
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
  // Three levels: 4 nodes x 2 in pods {0, 1} and {2, 3}.
  topo::Topology pods = make(4, 2, 1e-6, 400e9, 50e-6, 50e9);
  pods.levels.insert(pods.levels.begin() + 1,
                     topo::Level{"pod", 5e-6, 50e9, 1, {0, 0, 1, 1}});
  // Inside pod 0 the pod level is the top; the spine carries nothing.
  auto inPod = restrictTo(pods, Group{{0, 1, 2, 3}}, err);
  ASSERT_TRUE(inPod) << err;
  ASSERT_EQ(inPod->numLevels(), 2);
  EXPECT_EQ(inPod->levels[1].name, "pod");
  EXPECT_DOUBLE_EQ(inPod->levels[1].alpha, 5e-6);
  // One node per pod: only the spine links them.
  auto across = restrictTo(pods, Group{{0, 4}}, err);
  ASSERT_TRUE(across) << err;
  ASSERT_EQ(across->numLevels(), 2);
  EXPECT_EQ(across->levels[1].name, "net");
  // Everything: all three levels stay.
  auto all = restrictTo(pods, Group{{0, 1, 2, 3, 4, 5, 6, 7}}, err);
  ASSERT_TRUE(all) << err;
  EXPECT_EQ(all->numLevels(), 3);
  topo::Diagnostic d;
  EXPECT_TRUE(topo::verifyTopology(*all, d)) << d.str();
  Schedule s =
      chooseSchedule(t, CollectiveKind::AllReduce, 1 << 20, Group{{0, 1, 4}});
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
  EXPECT_EQ(
      ncclChoose(one, CollectiveKind::AllReduce, 1u << 30, ncclTuningFor(one))
          .algorithm,
      Algorithm::Ring);
  // Only rings for the other collectives in 2.7.5.
  EXPECT_EQ(ncclChoose(t, CollectiveKind::AllGather, 1024, tu).algorithm,
            Algorithm::Ring);
}

TEST(NCCL, RankOrderRingsCrossInterleavedPods) {
  // 16 nodes x 2 in 4 pods, node i in pod i % 4, pod uplinks 4x
  // oversubscribed: NCCL's ring in rank order crosses a pod on every
  // inter-node hop; ds's ring visits each pod contiguously.
  topo::Topology t = make(16, 2, 1e-6, 400e9, 50e-6, 50e9);
  t.levels[1].oversubscription = 4;
  std::vector<int32_t> pod;
  for (int n = 0; n < 16; ++n)
    pod.push_back(n % 4);
  t.levels.insert(t.levels.begin() + 1, topo::Level{"pod", 5e-6, 50e9, 1, pod});
  topo::Diagnostic d;
  ASSERT_TRUE(topo::verifyTopology(t, d)) << d.str();
  uint64_t n = 256u << 20;
  NcclChoice ring{Algorithm::Ring, NcclProtocol::Simple, 0};
  std::string err;
  double nccl =
      ncclSimulatedSeconds(t, CollectiveKind::AllReduce, n, ring, err);
  double ds = sim(t, Algorithm::Ring, n);
  // Bandwidth bound: NCCL's ring shares each pod's uplink (8 ranks x 50 / 4
  // = 100 GB/s) among 8 flows; ds's ring has two crossing flows per pod.
  EXPECT_GT(nccl, 3 * ds);
}

TEST(NCCL, DsIsNeverSlowerOnAUniformFabric) {
  auto t = make(64, 8, 0.7e-6, 450e9, 5e-6, 50e9);
  NcclTuning tu = ncclTuningFor(t);
  for (uint64_t n = 1024; n <= (1u << 30); n *= 8) {
    Schedule s = chooseSchedule(t, CollectiveKind::AllReduce, n);
    std::string err;
    double nccl = ncclSimulatedSeconds(
        t, CollectiveKind::AllReduce, n,
        ncclChoose(t, CollectiveKind::AllReduce, n, tu), err);
    ASSERT_GT(nccl, 0) << err;
    EXPECT_LE(s.predictedSeconds, nccl * (1 + 1e-9)) << n;
  }
}

} // namespace
