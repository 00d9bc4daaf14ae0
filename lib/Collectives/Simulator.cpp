//===- Simulator.cpp - per-link alpha-beta step simulation ----------------===//
#include "Internal.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ds::coll {
namespace detail {

StepPrice priceStep(const topo::Topology &t, const Step &s) {
  StepPrice price;
  if (s.flows.empty())
    return price;
  const int64_t p = t.ranks();
  const int top = t.topLevel();
  // Port use per rank: [rank * 2 + 0] intra-node, [rank * 2 + 1] network.
  std::vector<int32_t> out(2 * p, 0), in(2 * p, 0);
  // Uplink use per level l (>= 1, oversubscribed): groups of level l - 1.
  std::vector<std::vector<int32_t>> upOut(top + 1), upIn(top + 1);
  std::vector<std::vector<int64_t>> groupRanks(top + 1);
  auto groupAt = [&](int level, int64_t rank) -> int64_t {
    int64_t node = t.nodeOf(rank);
    return level == 0 ? node : t.groupOf(level, node);
  };
  for (int l = 1; l <= top; ++l) {
    if (t.levels[l].oversubscription <= 1)
      continue;
    int64_t groups = t.numGroups(l - 1);
    upOut[l].assign(groups, 0);
    upIn[l].assign(groups, 0);
    groupRanks[l].assign(groups, 0);
    for (int64_t n = 0; n < t.nodes; ++n)
      groupRanks[l][l - 1 == 0 ? n : t.groupOf(l - 1, n)] += t.devicesPerNode;
  }
  std::vector<int8_t> levelOf(s.flows.size());
  double maxAlpha = 0;
  for (size_t i = 0; i < s.flows.size(); ++i) {
    const Flow &f = s.flows[i];
    if (f.src == f.dst) {
      levelOf[i] = -1;
      continue;
    }
    int L = t.levelBetween(f.src, f.dst);
    levelOf[i] = static_cast<int8_t>(L);
    int cls = L > 0;
    ++out[f.src * 2 + cls];
    ++in[f.dst * 2 + cls];
    for (int l = 1; l <= L; ++l)
      if (!upOut[l].empty()) {
        ++upOut[l][groupAt(l - 1, f.src)];
        ++upIn[l][groupAt(l - 1, f.dst)];
      }
    maxAlpha = std::max(maxAlpha, t.levels[L].alpha);
  }
  double worst = 0;
  for (size_t i = 0; i < s.flows.size(); ++i) {
    const Flow &f = s.flows[i];
    int L = levelOf[i];
    if (L < 0 || f.bytes <= 0)
      continue;
    int cls = L > 0;
    const topo::Level &lv = t.levels[L];
    double share = lv.beta / std::max(out[f.src * 2 + cls], in[f.dst * 2 + cls]);
    double &portDemand = price.demand[cls];
    portDemand = std::max(portDemand, f.bytes / share);
    for (int l = 1; l <= L; ++l) {
      if (upOut[l].empty())
        continue;
      const topo::Level &ul = t.levels[l];
      int64_t gs = groupAt(l - 1, f.src), gd = groupAt(l - 1, f.dst);
      double capS = groupRanks[l][gs] * ul.beta / ul.oversubscription;
      double capD = groupRanks[l][gd] * ul.beta / ul.oversubscription;
      double up = std::min(capS / upOut[l][gs], capD / upIn[l][gd]);
      double &upDemand = price.demand[1 + l];
      upDemand = std::max(upDemand, f.bytes / up);
      share = std::min(share, up);
    }
    worst = std::max(worst, f.bytes / share);
  }
  price.latency = s.latency ? *s.latency : maxAlpha;
  price.transfer = worst;
  return price;
}

StageTiming priceStage(const topo::Topology &t, const Stage &s) {
  StageTiming st;
  st.what = s.what;
  for (const Step &step : s.steps) {
    StepPrice p = priceStep(t, step);
    st.latency += p.latency * step.repeat;
    st.transfer += p.transfer * step.repeat;
    for (auto [r, d] : p.demand)
      st.demand[r] += d * step.repeat;
  }
  return st;
}

double pipelineSeconds(const std::vector<StageTiming> &stages, int64_t chunks) {
  const size_t S = stages.size();
  if (S == 0)
    return 0;
  if (chunks <= 1 || S == 1) {
    double total = 0;
    for (const StageTiming &s : stages)
      total += s.latency + s.transfer;
    return total;
  }
  // Fluid discrete-event simulation. Task (s, c) is ready when (s-1, c) and
  // (s, c-1) are done; it first waits its latency, then transfers. A
  // transferring task progresses at rate x (fraction of its chunk per
  // second), at most chunks / transfer (its speed alone), and loads each
  // resource r by x * demand_r / chunks; rates are max-min fair (progressive
  // filling) subject to every resource's load <= 1.
  const int64_t C = chunks;
  std::vector<int64_t> nextChunk(S, 0), doneUpTo(S, 0);
  struct Active {
    size_t stage;
    double latencyLeft;
    double left; // fraction of the chunk's transfer still to do
    double rate = 0;
  };
  std::vector<Active> active;
  std::vector<bool> busy(S, false);
  double now = 0;
  double scale = 0;
  for (const StageTiming &st : stages)
    scale = std::max(scale, st.latency + st.transfer);
  const double eps = 1e-12 * scale + 1e-30;
  auto allocate = [&]() {
    std::vector<Active *> open;
    for (Active &a : active) {
      a.rate = 0;
      if (a.latencyLeft <= eps && stages[a.stage].transfer > 0)
        open.push_back(&a);
    }
    std::map<int, double> load;
    while (!open.empty()) {
      // The largest equal increase every open task can take.
      double delta = std::numeric_limits<double>::infinity();
      std::map<int, double> use;
      for (Active *a : open) {
        delta = std::min(delta, C / stages[a->stage].transfer - a->rate);
        for (auto [r, d] : stages[a->stage].demand)
          use[r] += d / C;
      }
      for (auto [r, u] : use)
        if (u > 0)
          delta = std::min(delta, (1 - load[r]) / u);
      delta = std::max(delta, 0.0);
      for (Active *a : open)
        a->rate += delta;
      for (auto [r, u] : use)
        load[r] += delta * u;
      std::vector<Active *> still;
      for (Active *a : open) {
        bool frozen = a->rate >= C / stages[a->stage].transfer * (1 - 1e-12);
        for (auto [r, d] : stages[a->stage].demand)
          frozen |= d > 0 && load[r] >= 1 - 1e-12;
        if (!frozen)
          still.push_back(a);
      }
      if (still.size() == open.size())
        break; // numerical stall; rates are already positive
      open = std::move(still);
    }
  };
  while (doneUpTo[S - 1] < C) {
    for (size_t s = 0; s < S; ++s) {
      if (busy[s] || nextChunk[s] >= C)
        continue;
      if (s > 0 && doneUpTo[s - 1] <= nextChunk[s])
        continue;
      busy[s] = true;
      active.push_back({s, stages[s].latency, stages[s].transfer > 0 ? 1.0 : 0.0});
    }
    allocate();
    double dt = std::numeric_limits<double>::infinity();
    for (const Active &a : active) {
      if (a.latencyLeft > eps)
        dt = std::min(dt, a.latencyLeft);
      else if (a.left <= 0)
        dt = 0;
      else if (a.rate > 0)
        dt = std::min(dt, a.left / a.rate);
    }
    if (!std::isfinite(dt))
      break; // cannot happen: some task always progresses
    now += dt;
    for (size_t i = 0; i < active.size();) {
      Active &a = active[i];
      if (a.latencyLeft > eps) {
        a.latencyLeft -= dt;
        if (a.latencyLeft <= eps)
          a.latencyLeft = 0;
      } else {
        a.left -= a.rate * dt;
      }
      if (a.latencyLeft <= eps && a.left <= 1e-12) {
        busy[a.stage] = false;
        ++nextChunk[a.stage];
        ++doneUpTo[a.stage];
        active[i] = active.back();
        active.pop_back();
      } else {
        ++i;
      }
    }
  }
  return now;
}

} // namespace detail

SimResult simulate(const topo::Topology &t, const Plan &plan) {
  SimResult r;
  for (const Stage &s : plan.stages) {
    r.stages.push_back(detail::priceStage(t, s));
    for (const Step &step : s.steps)
      r.flowsPriced += static_cast<int64_t>(step.flows.size());
  }
  r.seconds = detail::pipelineSeconds(r.stages, plan.chunks);
  return r;
}

} // namespace ds::coll
