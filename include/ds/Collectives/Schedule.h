//===- Schedule.h - Collective algorithms, plans and their choice -*- C++ -*-===//
//
// The cost model behind `ds-lower-topology` and `ds-sim`. Every algorithm is
// expanded into a plan: stages (one per hierarchy level a hierarchical
// algorithm visits), each a sequence of communication steps given as explicit
// point-to-point flows between ranks. The simulator (Simulator.h) prices a
// plan on a topology with per-level alpha-beta links and bandwidth sharing;
// the closed forms (ClosedForm.h) price the textbook cases directly.
//
// chooseSchedule prices every applicable algorithm and returns the fastest,
// together with every candidate's predicted time.
//
//===----------------------------------------------------------------------===//
#ifndef DS_COLLECTIVES_SCHEDULE_H
#define DS_COLLECTIVES_SCHEDULE_H

#include "ds/Topology/Topology.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ds::coll {

enum class CollectiveKind { AllReduce, AllGather, ReduceScatter, Broadcast, AllToAll };

/// Values are the runtime ABI's dsrt_coll_algorithm (docs: coll-abi,
/// runtime/include/dsrt/collectives.h); they are recorded in IR and passed
/// to the runtime unchanged.
enum class Algorithm : int32_t {
  Auto = 0,
  Ring = 1,
  Tree = 2,         ///< double binary tree (Sanders, Speck, Traeff 2009)
  Rabenseifner = 3, ///< recursive halving / doubling
  Hier2 = 4,        ///< intra-node, inter-node, intra-node
  Hier3 = 5,        ///< node, latency cluster, across clusters
  Native = 6,       ///< the backend's own (also: pairwise all_to_all)
};

const char *toString(CollectiveKind k);
const char *toString(Algorithm a);
std::optional<CollectiveKind> parseCollectiveKind(const std::string &s);
std::optional<Algorithm> parseAlgorithm(const std::string &s);

/// One point-to-point transfer within a step.
struct Flow {
  int64_t src = 0, dst = 0;
  double bytes = 0;
};

/// A communication step, repeated `repeat` times with the same flows.
struct Step {
  std::vector<Flow> flows;
  int64_t repeat = 1;
  /// Per-step latency. Unset: the largest alpha among the flows (a
  /// bulk-synchronous step). Set for pipelined patterns (rings, trees),
  /// where a step costs the mean link latency along the data's path.
  std::optional<double> latency;
};

/// One stage of a plan: a sub-collective on one hierarchy level.
struct Stage {
  std::string what;   ///< e.g. "intra-node reduce-scatter (ring, 8 ranks)"
  int level = 0;      ///< the level whose links it mostly uses
  std::vector<Step> steps;
};

/// An algorithm expanded for one topology, collective and size.
struct Plan {
  CollectiveKind kind = CollectiveKind::AllReduce;
  Algorithm algorithm = Algorithm::Ring;
  uint64_t bytes = 0;   ///< per-rank buffer (nccl-tests "size")
  int64_t chunks = 1;   ///< pipeline chunks across stages (hierarchical)
  int64_t segments = 1; ///< pipeline segments inside a tree
  std::vector<Stage> stages;
  std::string note;     ///< inner algorithm choices, etc.
};

/// Predicted time of one candidate.
struct Candidate {
  Algorithm algorithm = Algorithm::Ring;
  bool applicable = false;
  std::string whyNot; ///< when not applicable
  double seconds = 0;
  int64_t chunks = 1;
  std::string note;
};

/// The result of the choice: what `ds-lower-topology` records.
struct Schedule {
  CollectiveKind kind = CollectiveKind::AllReduce;
  uint64_t bytes = 0;
  Algorithm algorithm = Algorithm::Ring;
  int64_t chunks = 1;
  double predictedSeconds = 0;
  std::vector<std::string> steps; ///< per-stage plan, human readable
  std::vector<Candidate> candidates;
  std::string explanation;
};

/// A set of ranks that runs one collective. Empty means every rank. The
/// group must take the same number of devices from each node it uses.
struct Group {
  std::vector<int64_t> ranks;
};

/// The topology seen by `group`: its nodes, devices and levels (levels with a
/// single group or that no longer separate anything are dropped, except the
/// innermost and the top). Returns nullopt with `error` filled when the
/// group is irregular.
std::optional<topo::Topology> restrictTo(const topo::Topology &t, const Group &g,
                                         std::string &error);

/// Builds the plan of `algo` (never Auto/Native for all-reduce); nullopt with
/// `whyNot` when the algorithm does not apply (e.g. no latency cluster level
/// for Hier3). `chunks` = 0 lets the builder choose by the closed forms.
std::optional<Plan> buildPlan(const topo::Topology &t, CollectiveKind kind, Algorithm algo,
                              uint64_t bytes, int64_t chunks, std::string &whyNot);

/// The algorithms considered for `kind`, in report order.
std::vector<Algorithm> candidateAlgorithms(CollectiveKind kind);

/// Prices every candidate with the simulator and returns the fastest.
Schedule chooseSchedule(const topo::Topology &t, CollectiveKind kind, uint64_t bytes,
                        const Group &group = {});

/// Human-readable report of a schedule (the `--ds-topology-report` text).
std::string report(const Schedule &s);

/// nccl-tests bandwidth definitions for `bytes` per rank, `ranks` ranks and
/// a time: algbw = bytes / time; busbw = algbw * factor, with factor
/// 2(n-1)/n (all_reduce), (n-1)/n (all_gather, reduce_scatter, all_to_all)
/// and 1 (broadcast).
double algBandwidth(uint64_t bytes, double seconds);
double busBandwidth(CollectiveKind kind, int64_t ranks, uint64_t bytes, double seconds);

} // namespace ds::coll

#endif // DS_COLLECTIVES_SCHEDULE_H
