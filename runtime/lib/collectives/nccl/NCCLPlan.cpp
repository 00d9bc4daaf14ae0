//===- NCCLPlan.cpp - What the NCCL backend launches for a collective -----===//
#include "NCCLPlan.h"

#include <algorithm>
#include <map>

namespace dsrt::coll {

const char *ncclOpName(NcclOp op) {
  switch (op) {
  case NcclOp::AllReduce: return "ncclAllReduce";
  case NcclOp::ReduceScatter: return "ncclReduceScatter";
  case NcclOp::AllGather: return "ncclAllGather";
  case NcclOp::Broadcast: return "ncclBroadcast";
  case NcclOp::AllToAll: return "ncclSend/ncclRecv";
  }
  return "?";
}

namespace {

NcclComm makeComm(std::string level, std::vector<int> members, int me) {
  NcclComm c;
  c.level = std::move(level);
  c.color = *std::min_element(members.begin(), members.end());
  c.key = static_cast<int>(std::find(members.begin(), members.end(), me) - members.begin());
  c.members = std::move(members);
  return c;
}

/// Hierarchy levels of the group (innermost first), each as the members
/// of the calling rank's sub-group at that level; empty if not uniform.
struct Levels {
  std::vector<std::vector<int>> peers; ///< per level, in coordinate order
  std::vector<int> myCoord;
  std::string why;
};

Levels levelsOf(const Group &g, const Topology &topo, int depth) {
  Levels out;
  int n = g.size();
  // key[d][i]: node (d=0) or cluster (d=1) of member i.
  auto nodeOf = [&](int i) {
    int w = g.members[i];
    return w < static_cast<int>(topo.nodeOf.size()) ? topo.nodeOf[w] : w;
  };
  auto clusterOf = [&](int i) {
    int w = g.members[i];
    return w < static_cast<int>(topo.clusterOf.size()) ? topo.clusterOf[w] : -1;
  };
  std::vector<std::vector<int>> coord(n, std::vector<int>(depth + 1));
  std::map<int, std::vector<int>> byNode;
  std::vector<int> nodeOrder;
  for (int i = 0; i < n; ++i) {
    if (!byNode.count(nodeOf(i)))
      nodeOrder.push_back(nodeOf(i));
    byNode[nodeOf(i)].push_back(i);
  }
  size_t L = byNode.begin()->second.size();
  for (auto &[k, v] : byNode) {
    if (v.size() != L) {
      out.why = "nodes hold different numbers of group members";
      return out;
    }
    for (size_t j = 0; j < v.size(); ++j)
      coord[v[j]][0] = static_cast<int>(j);
  }
  std::vector<int> sizes{static_cast<int>(L)};
  if (depth == 1) {
    for (size_t ni = 0; ni < nodeOrder.size(); ++ni)
      for (int i : byNode[nodeOrder[ni]])
        coord[i][1] = static_cast<int>(ni);
    sizes.push_back(static_cast<int>(nodeOrder.size()));
  } else {
    std::map<int, std::vector<int>> nodesOfCluster;
    std::vector<int> clusterOrder;
    for (int node : nodeOrder) {
      int c = clusterOf(byNode[node][0]);
      if (c < 0) {
        out.why = "the topology has no cluster level";
        return out;
      }
      for (int i : byNode[node])
        if (clusterOf(i) != c) {
          out.why = "a node spans two clusters";
          return out;
        }
      if (!nodesOfCluster.count(c))
        clusterOrder.push_back(c);
      nodesOfCluster[c].push_back(node);
    }
    size_t K = nodesOfCluster.begin()->second.size();
    for (auto &[c, nodes] : nodesOfCluster)
      if (nodes.size() != K) {
        out.why = "clusters hold different numbers of nodes";
        return out;
      }
    for (size_t ci = 0; ci < clusterOrder.size(); ++ci) {
      auto &nodes = nodesOfCluster[clusterOrder[ci]];
      for (size_t ni = 0; ni < nodes.size(); ++ni)
        for (int i : byNode[nodes[ni]]) {
          coord[i][1] = static_cast<int>(ni);
          coord[i][2] = static_cast<int>(ci);
        }
    }
    sizes.push_back(static_cast<int>(K));
    sizes.push_back(static_cast<int>(clusterOrder.size()));
  }
  out.myCoord = coord[g.index];
  for (int d = 0; d <= depth; ++d) {
    std::vector<int> peers(sizes[d], -1);
    for (int i = 0; i < n; ++i) {
      bool same = true;
      for (int e = 0; e <= depth; ++e)
        if (e != d && coord[i][e] != out.myCoord[e])
          same = false;
      if (same)
        peers[coord[i][d]] = g.members[i];
    }
    out.peers.push_back(std::move(peers));
  }
  return out;
}

int64_t blockStart(int64_t len, int n, int i) { return (len * i) / n; }

} // namespace

NcclPlan buildNcclPlan(Kind kind, const Group &g, int64_t count,
                       int32_t algorithm, int64_t root, const Topology &topo,
                       const PlanOptions &opt) {
  NcclPlan plan;
  int me = g.members[g.index];
  auto flat = [&](NcclOp op, std::string why) {
    plan.comms.push_back(makeComm("group", g.members, me));
    NcclStep s;
    s.op = op;
    s.count = count;
    s.root = static_cast<int>(root);
    plan.steps.push_back(s);
    plan.description = std::string(ncclOpName(op)) + why;
  };
  switch (kind) {
  case Kind::AllGather:
    flat(NcclOp::AllGather, "");
    plan.copyInput = true; // in place: the own block at index*count
    return plan;
  case Kind::ReduceScatter:
    flat(NcclOp::ReduceScatter, "");
    return plan;
  case Kind::AllToAll:
    flat(NcclOp::AllToAll, "");
    return plan;
  case Kind::Broadcast:
    flat(NcclOp::Broadcast, "");
    return plan;
  case Kind::AllReduce:
    break;
  }
  plan.copyInput = true;
  if (algorithm == DSRT_ALGO_HIER2 || algorithm == DSRT_ALGO_HIER3) {
    int depth = algorithm == DSRT_ALGO_HIER2 ? 1 : 2;
    Levels lv = levelsOf(g, topo, depth);
    if (lv.why.empty() && lv.peers[0].size() * lv.peers[1].size() == 1)
      lv.why = "one rank";
    if (!lv.why.empty()) {
      flat(NcclOp::AllReduce, std::string(" (") + algorithmName(algorithm) +
                                  " unusable: " + lv.why + "; NCCL chooses)");
      return plan;
    }
    // Comms: group (for the remainder), then one per level.
    static const char *names2[] = {"node", "inter-node"};
    static const char *names3[] = {"node", "cluster", "inter-cluster"};
    plan.comms.push_back(makeComm("group", g.members, me));
    for (int d = 0; d <= depth; ++d)
      plan.comms.push_back(makeComm(depth == 1 ? names2[d] : names3[d], lv.peers[d], me));
    // The part divisible by the product of the inner level sizes goes
    // through the levels (NCCL's reduce-scatter wants equal blocks); the
    // rest (fewer elements than that product) is one flat all-reduce.
    int64_t inner = 1;
    for (int d = 0; d < depth; ++d)
      inner *= static_cast<int64_t>(lv.peers[d].size());
    int64_t body = (count / inner) * inner, units = body / inner;
    int chunks = opt.chunks > 0 ? opt.chunks
                                : static_cast<int>(std::clamp<int64_t>(
                                      body * static_cast<int64_t>(opt.elemSize) / (1 << 20), 1, 8));
    chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, units)));
    for (int c = 0; c < chunks && units > 0; ++c) {
      int64_t base = blockStart(units, chunks, c) * inner;
      int64_t len = blockStart(units, chunks, c + 1) * inner - base;
      int prev = -1;
      int64_t b = base, l = len;
      std::vector<std::pair<int64_t, int64_t>> regions;
      for (int d = 0; d < depth; ++d) { // reduce-scatter down the levels
        int n = static_cast<int>(lv.peers[d].size());
        regions.push_back({b, l});
        if (n > 1) {
          NcclStep s{NcclOp::ReduceScatter, 1 + d, b, l / n, 0, c, prev};
          plan.steps.push_back(s);
          prev = static_cast<int>(plan.steps.size()) - 1;
        }
        b += lv.myCoord[d] * (l / n);
        l /= n;
      }
      if (lv.peers[depth].size() > 1) {
        NcclStep s{NcclOp::AllReduce, 1 + depth, b, l, 0, c, prev};
        plan.steps.push_back(s);
        prev = static_cast<int>(plan.steps.size()) - 1;
      }
      for (int d = depth - 1; d >= 0; --d) { // all-gather back up
        int n = static_cast<int>(lv.peers[d].size());
        if (n > 1) {
          NcclStep s{NcclOp::AllGather, 1 + d, regions[d].first, regions[d].second / n, 0, c, prev};
          plan.steps.push_back(s);
          prev = static_cast<int>(plan.steps.size()) - 1;
        }
      }
    }
    if (count > body) {
      NcclStep s{NcclOp::AllReduce, 0, body, count - body, 0, chunks, -1};
      plan.steps.push_back(s);
    }
    std::string sizes;
    for (size_t d = 0; d < lv.peers.size(); ++d)
      sizes += (d ? "x" : "") + std::to_string(lv.peers[d].size());
    plan.description = std::string(algorithmName(algorithm)) + "(levels=" + sizes +
                       ",chunks=" + std::to_string(chunks) +
                       (count > body ? ",remainder=" + std::to_string(count - body) : "") + ")";
    return plan;
  }
  switch (algorithm) {
  case DSRT_ALGO_RING: plan.ncclAlgo = "Ring"; break;
  case DSRT_ALGO_TREE: plan.ncclAlgo = "Tree"; break;
  default: break;
  }
  flat(NcclOp::AllReduce,
       algorithm == DSRT_ALGO_RABENSEIFNER
           ? " (NCCL has no recursive halving/doubling; NCCL chooses)"
           : plan.ncclAlgo.empty() ? "" : " (hint " + plan.ncclAlgo + "; NCCL decides unless NCCL_ALGO is set)");
  return plan;
}

} // namespace dsrt::coll
