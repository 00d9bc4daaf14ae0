//===- NCCLModel.cpp - NCCL 2.7.5's tuning model --------------------------===//
//
// Figures from NVIDIA/nccl v2.7.5 src/graph/tuning.cc. Units as there:
// latencies in microseconds, bandwidths in GB/s. Indexing [algorithm]
// [protocol] with algorithm 0 = tree, 1 = ring and protocol LL, LL128,
// Simple.
//
//===----------------------------------------------------------------------===//
#include "ds/Collectives/NCCLModel.h"
#include "Plans.h"
#include "ds/Collectives/Simulator.h"

#include <algorithm>
#include <cmath>

namespace ds::coll {
namespace {

constexpr int kTree = 0, kRing = 1;
// Base latency per call.
constexpr double kBaseLat[2][3] = {{4.4, 4.4, 0}, {3.6, 10.0, 8.4}};
// Per-hop latency by hardware: NVLink, PCI, network.
constexpr double kHwLat[3][2][3] = {
    {{.52, 1.2, 28}, {.47, 1.9, 3.4}},
    {{1.0, 1.9, 28}, {1.0, 2.5, 5.7}},
    {{5.0, 8.5, 50}, {2.7, 4.0, 9.6}},
};
constexpr double kLL128MaxBwPerChAllReduce = 16.7;
// Tree bandwidth correction by log2(bytes / 64), 0 .. 21 (64 B .. 128 MiB).
constexpr double kTreeCorrection[3][22] = {
    {1.0, 1.0, 1.0, 1.0, .9, .8, .7, .7, .7, .7, .6, .5, .4, .4, .5, .6, .7, .8, .9, 1.0, 1.0, 1.0},
    {1.0, 1.0, 1.0, 1.0, 1.0, .9, .8, .8, .8, .7, .6, .6, .6, .5, .6, .6, .7, .7, .8, .9, .9, 1.0},
    {.9, .9, .9, .9, .9, .9, .9, .8, .7, .6, .6, .5, .5, .5, .5, .5, .5, .6, .6, .7, .8, .9},
};

int log2i(uint64_t n) {
  int l = 0;
  while (n >>= 1)
    ++l;
  return l;
}

} // namespace

const char *toString(NcclProtocol p) {
  switch (p) {
  case NcclProtocol::LL:
    return "LL";
  case NcclProtocol::LL128:
    return "LL128";
  case NcclProtocol::Simple:
    return "Simple";
  }
  return "?";
}

NcclTuning ncclTuningFor(const topo::Topology &t) {
  NcclTuning n;
  n.nChannels = static_cast<int>(2 * std::max<int64_t>(1, t.devicesPerNode));
  n.speedIntra = t.levels[0].beta / 1e9 / n.nChannels;
  n.speedInter = t.levels[1].beta / 1e9 * t.devicesPerNode / n.nChannels;
  n.nvlink = t.levels[0].beta >= 100e9;
  return n;
}

NcclChoice ncclChoose(const topo::Topology &t, CollectiveKind kind, uint64_t bytes,
                      const NcclTuning &tu) {
  NcclChoice best;
  if (kind == CollectiveKind::AllToAll) {
    best.algorithm = Algorithm::Native;
    return best;
  }
  const int64_t nRanks = t.ranks(), nNodes = t.nodes;
  const double ppn = static_cast<double>(nRanks) / nNodes;
  const bool allReduce = kind == CollectiveKind::AllReduce;
  const int64_t nsteps = allReduce ? 2 * (nRanks - 1)
                         : (kind == CollectiveKind::Broadcast) ? nRanks
                                                               : nRanks - 1;
  const int64_t nInter = allReduce ? 2 * (nNodes - 1)
                         : (kind == CollectiveKind::Broadcast) ? nNodes
                                                               : nNodes - 1;
  const bool cc80 = tu.compCap == 80;
  const int intraHw = tu.nvlink ? 0 : 1;
  bool first = true;
  for (int a : {kTree, kRing}) {
    if (!allReduce && a != kRing)
      continue; // 2.7.5 has only rings for the other collectives
    for (int p = 0; p < 3; ++p) {
      if (p == 1 && !(tu.compCap == 70 || tu.compCap == 80))
        continue; // LL128 off by default
      double speed = nNodes <= 2 ? tu.speedIntra : tu.speedInter;
      double busBw = tu.nChannels * speed;
      if (cc80)
        busBw = std::min(busBw, 235.0);
      if (a == kRing && p == 0)
        busBw *= (nNodes > 1 || allReduce) ? 1.0 / 4.0 : 1.0 / 3.0;
      if (a == kRing && p == 1)
        busBw = std::min(busBw * (ppn < 2 ? 0.7 : 0.92), kLL128MaxBwPerChAllReduce * tu.nChannels);
      double maxTreeBw = nNodes > 2 ? (cc80 && p == 1 ? 105.0 : 80.0) : (cc80 && p == 1 ? 130.0 : 110.0);
      if (a == kTree)
        busBw = std::min(busBw * .9, maxTreeBw);
      if (a == kTree && p == 0)
        busBw *= 1.0 / 3.8;
      if (a == kTree && p == 1)
        busBw = std::min(busBw * (nNodes == 1 ? 7.0 / 9.0 : 0.915),
                         kLL128MaxBwPerChAllReduce * tu.nChannels * 7.0 / 9.0);
      double ratio = a != kRing ? .5 : static_cast<double>(nRanks) / nsteps;
      double bw = busBw * ratio;
      double lat = kBaseLat[a][p];
      double intraLat = kHwLat[intraHw][a][p];
      double interLat = kHwLat[2][a][p];
      if (nNodes > 1 && p == 0)
        intraLat *= 1.8;
      if (a == kRing) {
        if (kind == CollectiveKind::Broadcast)
          lat += nsteps * kHwLat[nNodes == 1 ? intraHw : 2][kTree][p == 2 ? 2 : p];
        else
          lat += (nsteps - nInter) * intraLat + nInter * interLat;
      } else {
        lat += 2 * ((nRanks / nNodes - 1) * intraLat + log2i(nNodes) * interLat);
      }
      // ncclTopoGetAlgoTime's adjustments.
      int logSize = log2i(bytes >> 6);
      if (a == kTree && logSize < 22)
        bw *= kTreeCorrection[p][logSize];
      if (a == kRing && p == 2 && nNodes > 1 && allReduce &&
          static_cast<double>(bytes) >= nRanks / 16.0 * 65536)
        lat *= 1.9;
      double us = lat + static_cast<double>(bytes) / (1000 * bw);
      if (first || us < best.modelSeconds * 1e6) {
        first = false;
        best.algorithm = a == kRing ? Algorithm::Ring : Algorithm::Tree;
        best.protocol = static_cast<NcclProtocol>(p);
        best.modelSeconds = us * 1e-6;
      }
    }
  }
  return best;
}

double ncclSimulatedSeconds(const topo::Topology &t, CollectiveKind kind, uint64_t bytes,
                            const NcclChoice &choice, std::string &error) {
  detail::PlanOptions o;
  o.rankOrder = true;
  std::optional<Plan> plan = detail::buildPlanWith(t, kind, choice.algorithm, bytes, o, error);
  if (!plan)
    return -1;
  return simulate(t, *plan).seconds;
}

} // namespace ds::coll
