//===- ds-sim.cpp - simulate collective schedules on a topology -----------===//
//
//   ds-sim cluster.json --collective=all_reduce --sweep=1K:1G
//         [--algorithm=auto|all|ring|tree|rabenseifner|hier2|hier3]
//         [--compare-nccl] [--report] [--csv=out.csv] [--svg=out.svg]
//
// Prints, per message size, the simulated time, algbw, busbw (nccl-tests
// definitions) and bandwidth utilization (busbw / the busbw the topology's
// tightest cut allows). --compare-nccl adds NCCL's own choice (see
// NCCLModel.h) priced on the same links and the speedup of ds's choice.
//
//===----------------------------------------------------------------------===//
#include "ds/Collectives/NCCLModel.h"
#include "ds/Collectives/Schedule.h"
#include "ds/Collectives/Simulator.h"
#include "ds/Topology/Clustering.h"
#include "ds/Topology/Topology.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

using namespace ds;
using namespace ds::coll;
namespace cl = llvm::cl;

static cl::opt<std::string> topologyFile(cl::Positional, cl::desc("<topology.json|yaml>"),
                                         cl::Required);
static cl::opt<std::string> collective("collective",
                                       cl::desc("all_reduce, all_gather, reduce_scatter, "
                                                "broadcast or all_to_all"),
                                       cl::init("all_reduce"));
static cl::opt<std::string> algorithm(
    "algorithm",
    cl::desc("auto (ds's choice), all (every candidate), or one of ring, tree, "
             "rabenseifner, hier2, hier3, native"),
    cl::init("auto"));
static cl::opt<std::string> bytesOpt("bytes", cl::desc("message size per rank (e.g. 64M)"),
                                     cl::init(""));
static cl::opt<std::string> sweep("sweep", cl::desc("MIN:MAX sizes, doubling (e.g. 1K:1G)"),
                                  cl::init(""));
static cl::opt<unsigned> sweepFactor("sweep-factor", cl::desc("size factor between sweep points"),
                                     cl::init(2));
static cl::opt<int64_t> chunks("chunks", cl::desc("pipeline chunks (0: choose)"), cl::init(0));
static cl::opt<bool> compareNccl("compare-nccl",
                                 cl::desc("also price NCCL's own choice and print the speedup"));
static cl::opt<bool> showReport("report", cl::desc("print ds's schedule report per size"));
static cl::opt<bool> describeOnly("describe", cl::desc("print the parsed topology and exit"));
static cl::opt<std::string> csvFile("csv", cl::desc("write the results as CSV"), cl::init(""));
static cl::opt<std::string> svgFile("svg", cl::desc("plot time vs size per algorithm (SVG)"),
                                    cl::init(""));

static bool parseSize(const std::string &s, uint64_t &out) {
  if (s.empty())
    return false;
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  std::string unit(end);
  uint64_t mul = 1;
  if (unit == "" || unit == "B")
    mul = 1;
  else if (unit == "K" || unit == "KB" || unit == "KiB")
    mul = 1ull << 10;
  else if (unit == "M" || unit == "MB" || unit == "MiB")
    mul = 1ull << 20;
  else if (unit == "G" || unit == "GB" || unit == "GiB")
    mul = 1ull << 30;
  else
    return false;
  if (!(v > 0) || v * mul > 1e15)
    return false;
  out = static_cast<uint64_t>(v * mul);
  return out > 0;
}

static std::string sizeLabel(uint64_t b) {
  const char *units[] = {"B", "K", "M", "G", "T"};
  int u = 0;
  double v = static_cast<double>(b);
  while (v >= 1024 && u < 4 && std::fmod(v, 1024) == 0) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%s", v, units[u]);
  return buf;
}

struct Row {
  uint64_t bytes;
  std::string series; // algorithm name, "ds" or "nccl"
  std::string detail;
  double seconds;
};

static int fail(const std::string &msg) {
  llvm::errs() << "ds-sim: error: " << msg << "\n";
  return 1;
}

static void writeSvg(std::ostream &os, const std::vector<Row> &rows, const std::string &title) {
  std::vector<std::string> series;
  for (const Row &r : rows)
    if (std::find(series.begin(), series.end(), r.series) == series.end())
      series.push_back(r.series);
  double xmin = 1e300, xmax = 0, ymin = 1e300, ymax = 0;
  for (const Row &r : rows) {
    xmin = std::min(xmin, double(r.bytes));
    xmax = std::max(xmax, double(r.bytes));
    ymin = std::min(ymin, r.seconds * 1e6);
    ymax = std::max(ymax, r.seconds * 1e6);
  }
  double lx0 = std::floor(std::log10(xmin)), lx1 = std::ceil(std::log10(xmax));
  double ly0 = std::floor(std::log10(ymin)), ly1 = std::ceil(std::log10(ymax));
  if (lx1 <= lx0)
    lx1 = lx0 + 1;
  if (ly1 <= ly0)
    ly1 = ly0 + 1;
  const double W = 760, H = 480, L = 80, R = 170, T = 40, B = 60;
  auto X = [&](double b) { return L + (std::log10(b) - lx0) / (lx1 - lx0) * (W - L - R); };
  auto Y = [&](double us) { return H - B - (std::log10(us) - ly0) / (ly1 - ly0) * (H - T - B); };
  const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                          "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << L << "\" y=\"24\" font-size=\"14\">" << title << "</text>\n";
  for (double e = lx0; e <= lx1; ++e) {
    double x = X(std::pow(10, e));
    os << "<line x1=\"" << x << "\" y1=\"" << T << "\" x2=\"" << x << "\" y2=\"" << H - B
       << "\" stroke=\"#ddd\"/>\n<text x=\"" << x << "\" y=\"" << H - B + 16
       << "\" text-anchor=\"middle\">1e" << e << "</text>\n";
  }
  for (double e = ly0; e <= ly1; ++e) {
    double y = Y(std::pow(10, e));
    os << "<line x1=\"" << L << "\" y1=\"" << y << "\" x2=\"" << W - R << "\" y2=\"" << y
       << "\" stroke=\"#ddd\"/>\n<text x=\"" << L - 6 << "\" y=\"" << y + 4
       << "\" text-anchor=\"end\">1e" << e << "</text>\n";
  }
  os << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 20
     << "\" text-anchor=\"middle\">message size per rank (bytes)</text>\n";
  os << "<text x=\"20\" y=\"" << (T + H - B) / 2 << "\" transform=\"rotate(-90 20 "
     << (T + H - B) / 2 << ")\" text-anchor=\"middle\">time (us)</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const char *c = colors[i % 9];
    os << "<polyline fill=\"none\" stroke=\"" << c << "\" stroke-width=\"2\" points=\"";
    for (const Row &r : rows)
      if (r.series == series[i])
        os << X(double(r.bytes)) << "," << Y(r.seconds * 1e6) << " ";
    os << "\"/>\n";
    double ly = T + 16 + 18 * i;
    os << "<line x1=\"" << W - R + 10 << "\" y1=\"" << ly << "\" x2=\"" << W - R + 30
       << "\" y2=\"" << ly << "\" stroke=\"" << c << "\" stroke-width=\"2\"/>\n<text x=\""
       << W - R + 36 << "\" y=\"" << ly + 4 << "\">" << series[i] << "</text>\n";
  }
  os << "</svg>\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ds collective schedule simulator\n");
  auto start = std::chrono::steady_clock::now();

  topo::Diagnostic diag;
  std::optional<topo::Topology> topo = topo::loadTopology(topologyFile, diag);
  if (!topo) {
    llvm::errs() << diag.str() << "\n";
    return 1;
  }
  if (describeOnly) {
    llvm::outs() << topo::describe(*topo);
    return 0;
  }
  std::optional<CollectiveKind> kind = parseCollectiveKind(collective);
  if (!kind)
    return fail("unknown collective '" + collective +
                "' (expected all_reduce, all_gather, reduce_scatter, broadcast, all_to_all)");
  bool all = algorithm == "all", autoChoice = algorithm == "auto";
  std::optional<Algorithm> fixed;
  if (!all && !autoChoice) {
    fixed = parseAlgorithm(algorithm);
    if (!fixed)
      return fail("unknown algorithm '" + algorithm + "'");
  }
  std::vector<uint64_t> sizes;
  if (!sweep.empty()) {
    size_t colon = sweep.find(':');
    uint64_t lo, hi;
    if (colon == std::string::npos || !parseSize(sweep.substr(0, colon), lo) ||
        !parseSize(sweep.substr(colon + 1), hi) || lo > hi)
      return fail("--sweep expects MIN:MAX with sizes like 1K, 64M, 1G and MIN <= MAX, found '" +
                  sweep + "'");
    if (sweepFactor < 2)
      return fail("--sweep-factor must be at least 2");
    for (uint64_t b = lo; b <= hi; b *= sweepFactor)
      sizes.push_back(b);
  } else {
    uint64_t b;
    if (!parseSize(bytesOpt.empty() ? std::string("1M") : std::string(bytesOpt), b))
      return fail("--bytes expects a size like 4096, 64K, 16M or 1G, found '" + bytesOpt + "'");
    sizes.push_back(b);
  }

  const int64_t p = topo->ranks();
  const double bound = topo->bottleneckBeta();
  std::vector<Row> rows;
  NcclTuning tuning = ncclTuningFor(*topo);
  char line[512];
  std::snprintf(line, sizeof line, "# %s on '%s': %lld ranks (%lld nodes x %lld), busbw bound %.1f GB/s\n",
                toString(*kind), topo->name.c_str(), (long long)p, (long long)topo->nodes,
                (long long)topo->devicesPerNode, bound / 1e9);
  llvm::outs() << line;
  std::snprintf(line, sizeof line, "%10s  %-17s %6s %14s %10s %10s %7s", "size", "algorithm",
                "chunks", "time(us)", "algbw", "busbw", "util");
  llvm::outs() << line;
  if (compareNccl)
    llvm::outs() << "   nccl-choice      nccl(us)  speedup";
  llvm::outs() << "\n";

  auto printRow = [&](uint64_t b, const std::string &name, int64_t ch, double sec) {
    double bus = busBandwidth(*kind, p, b, sec);
    std::snprintf(line, sizeof line, "%10s  %-17s %6lld %14.3f %10.2f %10.2f %6.1f%%",
                  sizeLabel(b).c_str(), name.c_str(), (long long)ch, sec * 1e6,
                  algBandwidth(b, sec) / 1e9, bus / 1e9, 100 * bus / bound);
    llvm::outs() << line;
  };

  for (uint64_t b : sizes) {
    if (all || fixed) {
      std::vector<Algorithm> algos = all ? candidateAlgorithms(*kind) : std::vector<Algorithm>{*fixed};
      for (Algorithm a : algos) {
        std::string why;
        std::optional<Plan> plan = buildPlan(*topo, *kind, a, b, chunks, why);
        if (!plan) {
          if (fixed)
            return fail(std::string(toString(a)) + " cannot run here: " + why);
          continue;
        }
        SimResult r = simulate(*topo, *plan);
        printRow(b, toString(a), plan->chunks, r.seconds);
        llvm::outs() << "\n";
        rows.push_back({b, toString(a), plan->note, r.seconds});
      }
    }
    if (autoChoice || (all && compareNccl)) {
      Schedule s = chooseSchedule(*topo, *kind, b);
      if (!s.predictedSeconds)
        return fail("no schedule: " + s.explanation);
      printRow(b, std::string("ds:") + toString(s.algorithm), s.chunks, s.predictedSeconds);
      rows.push_back({b, "ds choice", toString(s.algorithm), s.predictedSeconds});
      if (compareNccl) {
        NcclChoice nc = ncclChoose(*topo, *kind, b, tuning);
        std::string err;
        double ns = ncclSimulatedSeconds(*topo, *kind, b, nc, err);
        if (ns < 0)
          return fail("cannot price NCCL's choice: " + err);
        std::string name = std::string(toString(nc.algorithm)) + "/" + toString(nc.protocol);
        std::snprintf(line, sizeof line, "   %-12s %12.3f %7.2fx", name.c_str(), ns * 1e6,
                      ns / s.predictedSeconds);
        llvm::outs() << line;
        rows.push_back({b, "nccl choice", name, ns});
      }
      llvm::outs() << "\n";
      if (showReport)
        llvm::outs() << report(s);
    }
  }

  if (!csvFile.empty()) {
    std::ofstream csv(csvFile);
    if (!csv)
      return fail("cannot write '" + csvFile + "'");
    csv << "collective,bytes,series,detail,time_us,algbw_GBps,busbw_GBps,utilization\n";
    for (const Row &r : rows) {
      double bus = busBandwidth(*kind, p, r.bytes, r.seconds);
      csv << toString(*kind) << "," << r.bytes << "," << r.series << "," << r.detail << ","
          << r.seconds * 1e6 << "," << algBandwidth(r.bytes, r.seconds) / 1e9 << ","
          << bus / 1e9 << "," << bus / bound << "\n";
    }
  }
  if (!svgFile.empty()) {
    std::ofstream svg(svgFile);
    if (!svg)
      return fail("cannot write '" + svgFile + "'");
    writeSvg(svg, rows, std::string(toString(*kind)) + " on " + topo->name);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  llvm::outs().flush();
  std::snprintf(line, sizeof line, "# simulated in %.2f s\n", secs);
  llvm::errs() << line;
  return 0;
}
