//===- Choose.cpp - pricing candidates and explaining the choice ----------===//
#include "Internal.h"
#include "Plans.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace ds::coll {

const char *toString(CollectiveKind k) {
  switch (k) {
  case CollectiveKind::AllReduce:
    return "all_reduce";
  case CollectiveKind::AllGather:
    return "all_gather";
  case CollectiveKind::ReduceScatter:
    return "reduce_scatter";
  case CollectiveKind::Broadcast:
    return "broadcast";
  case CollectiveKind::AllToAll:
    return "all_to_all";
  }
  return "?";
}

const char *toString(Algorithm a) {
  switch (a) {
  case Algorithm::Auto:
    return "auto";
  case Algorithm::Ring:
    return "ring";
  case Algorithm::Tree:
    return "tree";
  case Algorithm::Rabenseifner:
    return "rabenseifner";
  case Algorithm::Hier2:
    return "hier2";
  case Algorithm::Hier3:
    return "hier3";
  case Algorithm::Native:
    return "native";
  }
  return "?";
}

std::optional<CollectiveKind> parseCollectiveKind(const std::string &s) {
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::AllGather,
                           CollectiveKind::ReduceScatter, CollectiveKind::Broadcast,
                           CollectiveKind::AllToAll})
    if (s == toString(k))
      return k;
  return std::nullopt;
}

std::optional<Algorithm> parseAlgorithm(const std::string &s) {
  for (int i = 0; i <= 6; ++i)
    if (s == toString(static_cast<Algorithm>(i)))
      return static_cast<Algorithm>(i);
  return std::nullopt;
}

double algBandwidth(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
}

double busBandwidth(CollectiveKind kind, int64_t ranks, uint64_t bytes, double seconds) {
  double n = static_cast<double>(ranks);
  double factor = 1;
  switch (kind) {
  case CollectiveKind::AllReduce:
    factor = 2 * (n - 1) / n;
    break;
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter:
  case CollectiveKind::AllToAll:
    factor = (n - 1) / n;
    break;
  case CollectiveKind::Broadcast:
    factor = 1;
    break;
  }
  return algBandwidth(bytes, seconds) * factor;
}

std::optional<topo::Topology> restrictTo(const topo::Topology &t, const Group &g,
                                         std::string &error) {
  if (g.ranks.empty())
    return t;
  std::map<int64_t, std::set<int64_t>> byNode;
  for (int64_t r : g.ranks) {
    if (r < 0 || r >= t.ranks()) {
      error = "group rank " + std::to_string(r) + " is outside [0, " +
              std::to_string(t.ranks()) + ")";
      return std::nullopt;
    }
    if (!byNode[t.nodeOf(r)].insert(t.localOf(r)).second) {
      error = "group lists rank " + std::to_string(r) + " twice";
      return std::nullopt;
    }
  }
  size_t per = byNode.begin()->second.size();
  for (const auto &[node, locals] : byNode)
    if (locals.size() != per) {
      error = "the group takes " + std::to_string(locals.size()) + " devices from node " +
              std::to_string(node) + " but " + std::to_string(per) + " from node " +
              std::to_string(byNode.begin()->first) + "; groups must be regular";
      return std::nullopt;
    }
  topo::Topology r;
  r.name = t.name + " (group of " + std::to_string(g.ranks.size()) + ")";
  r.nodes = static_cast<int64_t>(byNode.size());
  r.devicesPerNode = static_cast<int64_t>(per);
  r.levels.push_back(t.levels[0]);
  for (int l = 1; l < t.topLevel(); ++l) {
    topo::Level lv = t.levels[l];
    std::map<int32_t, int32_t> dense;
    std::vector<int32_t> ids;
    for (const auto &[node, locals] : byNode) {
      int32_t id = t.levels[l].groupOfNode[node];
      ids.push_back(dense.emplace(id, static_cast<int32_t>(dense.size())).first->second);
    }
    if (dense.size() <= 1 || dense.size() == byNode.size())
      continue; // separates nothing, or nothing beyond nodes
    lv.groupOfNode = std::move(ids);
    r.levels.push_back(std::move(lv));
  }
  r.levels.push_back(t.levels.back());
  return r;
}

Schedule chooseSchedule(const topo::Topology &world, CollectiveKind kind, uint64_t bytes,
                        const Group &group) {
  Schedule s;
  s.kind = kind;
  s.bytes = bytes;
  std::string error;
  std::optional<topo::Topology> t = restrictTo(world, group, error);
  if (!t) {
    s.algorithm = Algorithm::Auto;
    s.explanation = "cannot schedule: " + error;
    return s;
  }
  bool found = false;
  std::optional<Plan> bestPlan;
  for (Algorithm a : candidateAlgorithms(kind)) {
    Candidate c;
    c.algorithm = a;
    std::optional<Plan> plan = buildPlan(*t, kind, a, bytes, 0, c.whyNot);
    if (plan) {
      c.applicable = true;
      c.seconds = simulate(*t, *plan).seconds;
      c.chunks = plan->chunks;
      c.note = plan->note;
      if (!found || c.seconds < s.predictedSeconds) {
        found = true;
        s.predictedSeconds = c.seconds;
        s.algorithm = a;
        s.chunks = plan->chunks;
        bestPlan = std::move(plan);
      }
    }
    s.candidates.push_back(std::move(c));
  }
  if (!found) {
    s.algorithm = t->ranks() < 2 || bytes == 0 ? Algorithm::Native : Algorithm::Auto;
    s.explanation = s.candidates.empty() ? "no candidates" : s.candidates[0].whyNot;
    return s;
  }
  for (const Stage &st : bestPlan->stages)
    s.steps.push_back(st.what);
  std::ostringstream os;
  os << toString(kind) << " of " << bytes << " bytes on " << t->ranks() << " ranks ("
     << t->nodes << " nodes x " << t->devicesPerNode << "): " << toString(s.algorithm);
  if (s.chunks > 1)
    os << " in " << s.chunks << " pipelined chunks";
  os << ", predicted " << s.predictedSeconds * 1e6 << " us";
  s.explanation = os.str();
  return s;
}

std::string report(const Schedule &s) {
  std::ostringstream os;
  os << s.explanation << "\n";
  for (size_t i = 0; i < s.steps.size(); ++i)
    os << "  stage " << i + 1 << ": " << s.steps[i] << "\n";
  os << "  candidates:\n";
  for (const Candidate &c : s.candidates) {
    char line[256];
    if (c.applicable) {
      std::snprintf(line, sizeof line, "    %-13s %14.3f us%s", toString(c.algorithm),
                    c.seconds * 1e6, c.algorithm == s.algorithm ? "  <- chosen" : "");
      os << line;
      if (c.chunks > 1)
        os << " (" << c.chunks << " chunks)";
      if (!c.note.empty())
        os << " [" << c.note << "]";
    } else {
      std::snprintf(line, sizeof line, "    %-13s %17s", toString(c.algorithm), "n/a");
      os << line << " (" << c.whyNot << ")";
    }
    os << "\n";
  }
  return os.str();
}

} // namespace ds::coll
