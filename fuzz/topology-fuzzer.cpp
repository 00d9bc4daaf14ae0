//===- topology-fuzzer.cpp - libFuzzer target for the topology parser -----===//
//
// Input: a cluster description (JSON or YAML, lib/Topology). Parses it from
// memory as `ds-sim` and the compiler do; a description that parses must
// satisfy the invariants verifyTopology checks, and the queries the cost
// model makes (levels between ranks, the bottleneck bandwidth, latency
// clustering on small matrices) must not crash on it.
//
//===----------------------------------------------------------------------===//
#include "ds/Topology/Clustering.h"
#include "ds/Topology/Topology.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace ds::topo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  Diagnostic diag;
  std::optional<Topology> topo = parseTopology(text, diag, Format::Auto,
                                               "fuzz.topology");
  if (!topo) {
    if (diag.message.empty()) {
      fprintf(stderr, "parse failed without a message\n");
      abort();
    }
    (void)diag.str();
    return 0;
  }
  Diagnostic verifyDiag;
  if (!verifyTopology(*topo, verifyDiag)) {
    fprintf(stderr, "parsed topology fails verification: %s\n",
                    verifyDiag.str().c_str());
    abort();
  }
  (void)describe(*topo);
  (void)topo->bottleneckBeta();
  int64_t ranks = topo->ranks();
  for (int64_t a = 0; a < ranks && a < 64; ++a)
    for (int64_t b = a + 1; b < ranks && b < 64; ++b)
      (void)topo->levelBetween(a, b);
  for (int l = 0; l < topo->numLevels(); ++l)
    (void)topo->numGroups(l);
  // Clustering is quadratic and more in the matrix size; small ones suffice
  // to reach every branch.
  if (topo->latency && topo->latency->size <= 32) {
    Diagnostic clusterDiag;
    (void)addLatencyClusterLevel(*topo, 0, clusterDiag);
  }
  return 0;
}
