//===- Clustering.h - Latency clusters as topology levels -------*- C++ -*-===//
//
// Measured latencies often reveal structure the description does not state:
// pods, racks, or a scheduler's placement across them. Each node (or rank) is
// a point whose coordinates are its row of the latency matrix; k-means
// (deterministic farthest-point seeding, Lloyd iterations) groups them. When
// k is not given it is chosen by the mean silhouette coefficient
// (Rousseeuw 1987) over k = 2 .. min(16, n - 1), computed on the measured
// latencies themselves; if no k reaches a silhouette of 0.5 the matrix shows
// no cluster structure and no level is added.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TOPOLOGY_CLUSTERING_H
#define DS_TOPOLOGY_CLUSTERING_H

#include "ds/Topology/Topology.h"

#include <vector>

namespace ds::topo {

struct Clustering {
  int k = 1;
  std::vector<int32_t> labelOf; // per point (node or rank), 0 .. k-1
  double silhouette = 0;        // mean silhouette of the chosen k
  std::vector<double> silhouetteByK; // index k (entries 0 and 1 unused)
};

/// Clusters the points of a metric latency matrix. `k` > 0 forces k
/// clusters; `k` == 0 chooses k by silhouette as described above.
Clustering clusterLatencies(const LatencyMatrix &m, int k = 0);

/// Adds a level formed by clustering `topo.latency` (node granularity, or rank
/// granularity whose clusters keep nodes whole). The new level is inserted
/// where it nests with the existing levels; its latency is the mean measured
/// latency between distinct nodes of one cluster, and the level above it
/// takes the mean latency between clusters. Returns false (with a diagnostic)
/// when the clusters split a node, do not nest with the given levels, or
/// have unequal sizes (the schedules assume symmetric groups). Returns true
/// without change when the matrix shows no structure (k = 1).
bool addLatencyClusterLevel(Topology &topo, int k, Diagnostic &diag,
                            Clustering *result = nullptr);

} // namespace ds::topo

#endif // DS_TOPOLOGY_CLUSTERING_H
