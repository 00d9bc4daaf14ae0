//===- Topology.h - Cluster descriptions for collective scheduling -*- C++ -*-===//
//
// A cluster is `nodes` machines with `devicesPerNode` devices each; ranks are
// numbered node-major (rank = node * devicesPerNode + local). The network is
// a hierarchy of levels, innermost first:
//
//   level 0        the links inside a node (NVLink, PCIe, shared memory);
//   level 1 .. L-1 groupings of nodes (racks, pods, latency clusters), each
//                  group a union of whole groups of the level below;
//   level L        the whole fabric (one group).
//
// Two ranks talk over the innermost level whose group holds both. Each level
// gives the per-message latency (alpha) and the per-rank bandwidth (beta) of
// the links used at that level, and an oversubscription factor: the uplinks
// out of one group of the level below carry at most
// (ranks in that group * beta) / oversubscription.
//
// The library is plain C++17 (no MLIR/LLVM types) so that the compiler, the
// simulator and a fuzzer can all use it.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TOPOLOGY_TOPOLOGY_H
#define DS_TOPOLOGY_TOPOLOGY_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ds::topo {

/// One level of the link hierarchy.
struct Level {
  std::string name;
  /// Latency of one message between two ranks at this level, in seconds.
  double alpha = 0;
  /// Bandwidth available to one rank at this level, in bytes per second.
  double beta = 0;
  /// >= 1: how much the uplinks of a group of the level below are
  /// oversubscribed relative to the sum of its ranks' bandwidth.
  double oversubscription = 1;
  /// For levels 1 .. L-1: the group of every node (size = nodes). Empty for
  /// level 0 (the group is the node) and for the top level (one group).
  std::vector<int32_t> groupOfNode;
  /// Where this level came from ("file" or "latency clustering (...)").
  std::string origin = "file";
};

/// A square matrix of measured one-way latencies in seconds, either between
/// ranks or between nodes.
struct LatencyMatrix {
  enum class Granularity { Rank, Node };
  Granularity granularity = Granularity::Rank;
  int64_t size = 0;
  std::vector<double> values; // row-major, size * size

  double at(int64_t i, int64_t j) const { return values[i * size + j]; }
};

struct Topology {
  std::string name;
  int64_t nodes = 0;
  int64_t devicesPerNode = 0;
  std::vector<Level> levels; // innermost first; at least two
  std::optional<LatencyMatrix> latency;

  int64_t ranks() const { return nodes * devicesPerNode; }
  int64_t nodeOf(int64_t rank) const { return rank / devicesPerNode; }
  int64_t localOf(int64_t rank) const { return rank % devicesPerNode; }
  int numLevels() const { return static_cast<int>(levels.size()); }
  int topLevel() const { return numLevels() - 1; }

  /// The group of `node` at `level` (level >= 1). The top level has group 0.
  int64_t groupOf(int level, int64_t node) const {
    const Level &l = levels[level];
    return l.groupOfNode.empty() ? 0 : l.groupOfNode[node];
  }
  /// Number of groups at `level` (level 0: nodes).
  int64_t numGroups(int level) const;

  /// The innermost level whose group contains both ranks (0 when they share
  /// a node). Undefined for a == b.
  int levelBetween(int64_t a, int64_t b) const {
    int64_t na = nodeOf(a), nb = nodeOf(b);
    if (na == nb)
      return 0;
    for (int l = 1; l < topLevel(); ++l)
      if (groupOf(l, na) == groupOf(l, nb))
        return l;
    return topLevel();
  }

  /// The largest all-reduce bus bandwidth (nccl-tests busbw) the links
  /// allow: the minimum of a rank's ports (beta_0 + beta_1) and, for every
  /// level l >= 1, the uplinks around a group of level l-1 (see the .cpp and
  /// docs/topology.md). Bandwidth utilization is busbw divided by this.
  double bottleneckBeta() const;
};

/// A problem found in a topology description: the field it concerns (a JSON
/// pointer such as `/levels/1/latency_us`) and, where the parser knows them,
/// the line and column (1-based; 0 when unknown).
struct Diagnostic {
  std::string file;
  std::string field;
  int line = 0;
  int column = 0;
  std::string message;

  /// `FILE:LINE:COL: field 'F': MESSAGE` (parts omitted when unknown).
  std::string str() const;
};

enum class Format { Auto, JSON, YAML };

/// Parses and validates a topology description held in memory. Never throws,
/// never aborts: bad input yields `std::nullopt` and a diagnostic. With
/// Format::Auto, text whose first non-blank character is `{` is JSON and
/// anything else is YAML. `bufferName` names the input in diagnostics.
std::optional<Topology> parseTopology(std::string_view text, Diagnostic &diag,
                                      Format format = Format::Auto,
                                      std::string_view bufferName = "<memory>");

/// Reads and parses a file; the format follows the extension (.json, .yaml,
/// .yml), else Format::Auto.
std::optional<Topology> loadTopology(const std::string &path, Diagnostic &diag);

/// Checks the structural invariants the parser promises (used by the parser
/// and by code that builds a Topology by hand). Returns false and fills
/// `diag` on the first violation.
bool verifyTopology(const Topology &topo, Diagnostic &diag);

/// Checks that a latency matrix is a metric: non-negative, zero diagonal,
/// symmetric (within a relative tolerance of 1e-6) and obeying the triangle
/// inequality (within the same tolerance). `field` prefixes the diagnostic.
bool verifyMetric(const LatencyMatrix &m, Diagnostic &diag);

/// A one-paragraph human-readable summary of the levels.
std::string describe(const Topology &topo);

} // namespace ds::topo

#endif // DS_TOPOLOGY_TOPOLOGY_H
