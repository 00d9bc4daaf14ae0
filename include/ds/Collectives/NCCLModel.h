//===- NCCLModel.h - NCCL's own algorithm choice, modelled ------*- C++ -*-===//
//
// Reproduces how NCCL picks an all-reduce algorithm and protocol, from the
// latency and bandwidth constants of its tuning model: NVIDIA/nccl v2.7.5,
// src/graph/tuning.cc (ncclTopoTuneModel, ncclTopoGetAlgoTime; commit
// 01afd20a77b5804e0ecf1042509dd9d20ebf9e93). The figures are listed with
// their meaning in docs/topology.md. NCCL's estimate only decides *which*
// algorithm NCCL would run; ds-sim then prices that algorithm (rings and
// trees laid out in rank order, as NCCL does; NCCL has no notion of pods) on
// the same links as ds's own schedules.
//
//===----------------------------------------------------------------------===//
#ifndef DS_COLLECTIVES_NCCLMODEL_H
#define DS_COLLECTIVES_NCCLMODEL_H

#include "ds/Collectives/Schedule.h"

namespace ds::coll {

/// What NCCL's topology search would hand its tuning model.
struct NcclTuning {
  int nChannels = 16;
  double speedIntra = 0; ///< GB/s per channel inside a node
  double speedInter = 0; ///< GB/s per channel across nodes
  bool nvlink = true;    ///< intra-node links are NVLink (else PCI)
  int compCap = 80;      ///< 2.7.5 enables LL128 by default on 70 and 80 only
};

/// Channels = 2 x devices per node; per-channel speeds such that the channels
/// together carry the node's intra-node (level 0) and network (level 1)
/// bandwidth per device; NVLink when level 0 gives >= 100 GB/s per device.
NcclTuning ncclTuningFor(const topo::Topology &t);

enum class NcclProtocol { LL = 0, LL128 = 1, Simple = 2 };
const char *toString(NcclProtocol p);

struct NcclChoice {
  Algorithm algorithm = Algorithm::Ring; ///< Ring or Tree (Native: all_to_all)
  NcclProtocol protocol = NcclProtocol::Simple;
  double modelSeconds = 0; ///< NCCL's own estimate
};

/// NCCL's choice for one collective call: all_reduce picks the fastest
/// enabled (algorithm, protocol) by NCCL's estimate; the other collectives
/// only have rings in 2.7.5; all_to_all is point-to-point.
NcclChoice ncclChoose(const topo::Topology &t, CollectiveKind kind, uint64_t bytes,
                      const NcclTuning &tuning);

/// ds-sim's price of NCCL's choice on the topology.
double ncclSimulatedSeconds(const topo::Topology &t, CollectiveKind kind, uint64_t bytes,
                            const NcclChoice &choice, std::string &error);

} // namespace ds::coll

#endif // DS_COLLECTIVES_NCCLMODEL_H
