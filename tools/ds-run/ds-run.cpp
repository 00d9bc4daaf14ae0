//===- ds-run.cpp - Compile a model, run it, check its outputs ------------===//
//
//   ds-run MODEL [--test-data DIR | --input NAME=FILE ...] [--output-dir DIR]
//          [--rtol R] [--atol A] [--bench N] [--keep-artifact PATH] [--timing]
//          [--num-threads T] [--shard tp=N dp=M [--topology FILE
//          [--ds-topology-report]]]
//
// MODEL is an ONNX model (.onnx) or a dsg/linalg module (.mlir), compiled for
// the host CPU into a temporary artifact, or an artifact already compiled
// (.so, e.g. from --keep-artifact). Inputs come from an ONNX backend-test
// folder (DIR/input_<i>.pb, matched to the model inputs by position) or from
// .npy/.pb files named per input. With --test-data, outputs are compared
// with DIR/output_<i>.pb as numpy.allclose does.
//
// --timing prints the time of each compile stage and pass to stderr, like
// -mlir-timing. On a terminal (stderr is a tty), a progress line shows the
// compile stage and the --bench runs; pipes and CI logs never see it.
//
// --bench N also reports memory: the line "ds memory peak_rss_kb=.. \
// buffer_peak_bytes=.. buffer_allocs_per_run=.. buffer_bytes_per_run=..
// [compile_s=.. compile_peak_rss_kb=..]" (peak RSS of this process after
// compiling, or of the whole process for a .so; the most bytes the model's
// own buffers held at once, and per run the number and total size of their
// allocations, counted by libdsrt's allocator; the compile's wall time and
// peak RSS when this process compiled the model), then the same in words.
//
// For a GPU artifact --bench also prints "ds device_ms median=.. min=..":
// the device time of each run's kernels alone, from an event recorded
// before its first launch to one after its last (runtime/lib/gpu/
// KernelTimer.h), without the staging of inputs and outputs that the wall
// figure "ds median_ms" includes.
//
// Exit codes: 0 success, 1 failure (bad input, run failure, numeric FAIL),
// 3 the model is valid but ds does not support it yet (harnesses count it as
// skipped; the importer's diagnostics say why).
//
//===----------------------------------------------------------------------===//

#include "ds/Compiler/Compiler.h"
#include "ds/IO/TensorIO.h"
#include "ds/Topology/Topology.h"
#include "dsrt/dsrt.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <optional>
#include <unistd.h>

using namespace mlir;
using namespace mlir::ds;
using llvm::Expected;
using llvm::SmallString;
using llvm::StringRef;

static llvm::cl::OptionCategory category("ds-run options");

static llvm::cl::opt<std::string>
    modelPath(llvm::cl::Positional, llvm::cl::Required,
              llvm::cl::desc("<model.onnx | model.mlir | artifact.so>"),
              llvm::cl::cat(category));
static llvm::cl::opt<std::string> testDataDir(
    "test-data",
    llvm::cl::desc("ONNX test-data folder: inputs from input_<i>.pb, outputs "
                   "compared with output_<i>.pb"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(category));
static llvm::cl::list<std::string> inputSpecs(
    "input",
    llvm::cl::desc("An input by model input name (repeatable); the file is "
                   ".npy or an ONNX TensorProto .pb"),
    llvm::cl::value_desc("name=file"), llvm::cl::cat(category));
static llvm::cl::opt<std::string> outputDir(
    "output-dir",
    llvm::cl::desc("Write the outputs there as output_<i>.pb after a "
                   "successful run"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(category));
static llvm::cl::opt<double>
    rtolOpt("rtol", llvm::cl::init(1e-3),
         llvm::cl::desc("Relative tolerance: |a-e| <= atol + rtol*|e| "
                        "(at least one ulp for float16/bfloat16 outputs)"),
         llvm::cl::cat(category));
static llvm::cl::opt<double> atolOpt("atol", llvm::cl::init(1e-5),
                                  llvm::cl::desc("Absolute tolerance"),
                                  llvm::cl::cat(category));
static llvm::cl::opt<bool> printOutputs(
    "print-outputs",
    llvm::cl::desc("Print each output's type and first values (the default "
                   "without --test-data)"),
    llvm::cl::cat(category));
static llvm::cl::opt<unsigned> benchRuns(
    "bench", llvm::cl::init(0),
    llvm::cl::desc("After one warm-up run, time N runs and print "
                   "'ds median_ms=X min_ms=Y', then the memory used (peak "
                   "RSS, the model's buffers)"),
    llvm::cl::value_desc("N"), llvm::cl::cat(category));
static llvm::cl::opt<int> numThreads(
    "num-threads", llvm::cl::init(0),
    llvm::cl::desc("Threads the model's kernels use (default: DS_NUM_THREADS "
                   "or the CPUs this process may run on)"),
    llvm::cl::value_desc("T"), llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    keepArtifact("keep-artifact",
                 llvm::cl::desc("Also copy the compiled artifact to this path"),
                 llvm::cl::value_desc("path"), llvm::cl::cat(category));

static llvm::cl::opt<std::string> shardOpt(
    "shard",
    llvm::cl::desc("Partition the model over ranks (run under mpirun with "
                   "tp*dp ranks): 'tp=N', 'dp=M' or both"),
    llvm::cl::value_desc("tp=N dp=M"), llvm::cl::cat(category));
static llvm::cl::opt<std::string> topologyOpt(
    "topology",
    llvm::cl::desc("With --shard: a cluster description (docs/topology.md) "
                   "whose ranks are the grid's; ds-lower-topology chooses "
                   "every collective's algorithm for it, and the runtime "
                   "groups ranks into its nodes (DS_COLL_RANKS_PER_NODE, "
                   "unless set)"),
    llvm::cl::value_desc("file"), llvm::cl::cat(category));
static llvm::cl::opt<bool> topologyReportOpt(
    "ds-topology-report",
    llvm::cl::desc("With --topology: print, per collective, every candidate "
                   "schedule with its predicted time and the choice"),
    llvm::cl::cat(category));
static llvm::cl::opt<std::string> quantizeOpt(
    "quantize",
    llvm::cl::desc("Quantize before compiling: int8, int4, or ds-quantize's "
                   "options, e.g. 'weights=int4 group=64 activations=none' "
                   "(docs/quantization.md)"),
    llvm::cl::value_desc("options"), llvm::cl::cat(category));

static llvm::cl::opt<bool> planBuffersOpt(
    "plan-buffers", llvm::cl::init(true),
    llvm::cl::desc("Place intermediate buffers in one arena by liveness "
                   "(default on; off to measure it)"),
    llvm::cl::cat(category));
static llvm::cl::opt<bool> parallelLoopsOpt(
    "parallel-loops", llvm::cl::init(true),
    llvm::cl::desc("Run large elementwise/reduction loops on the thread pool "
                   "(default on; off to measure it)"),
    llvm::cl::cat(category));

static llvm::cl::opt<bool> timingOpt(
    "timing",
    llvm::cl::desc("Print the time of each compile stage and pass (stderr)"),
    llvm::cl::cat(category));

static llvm::cl::opt<bool> noFuseAttention(
    "no-fuse-attention",
    llvm::cl::desc("Keep exported attention subgraphs as they are instead of "
                   "fusing them into dsg.attention"),
    llvm::cl::cat(category));
static llvm::cl::opt<std::string> targetOpt(
    "target",
    llvm::cl::desc("Where the model runs: cpu (default), cuda or rocm "
                   "(kernels on GPU 0 through the dsrt GPU runtime)"),
    llvm::cl::init("cpu"), llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    chipOpt("chip",
            llvm::cl::desc("GPU chip for --target=cuda|rocm (sm_80, sm_90, "
                           "gfx90a, gfx942)"),
            llvm::cl::init(""), llvm::cl::cat(category));
static llvm::cl::opt<bool> allowTF32Opt(
    "allow-tf32",
    llvm::cl::desc("cuda: run f32 matmuls and convolutions on tensor cores "
                   "in tf32 (about 1e-3 relative error per product)"),
    llvm::cl::cat(category));

static llvm::cl::opt<bool> gpuWgmmaOpt(
    "gpu-wgmma",
    llvm::cl::desc("cuda, --chip=sm_90a: f16/bf16 matmuls as warpgroup-MMA "
                   "(wgmma) kernels (unverified on a device)"),
    llvm::cl::cat(category));

static constexpr int kExitFailure = 1;

//===----------------------------------------------------------------------===//
// Progress line (terminals only)
//===----------------------------------------------------------------------===//

/// Whether stderr is a terminal: only then is a progress line shown.
static bool showProgress() {
  static const bool tty = isatty(STDERR_FILENO);
  return tty;
}

/// Replaces the progress line with `text` ("" clears it).
static void progress(const llvm::Twine &text) {
  if (!showProgress())
    return;
  llvm::errs() << "\r" << text << "\x1b[K";
  llvm::errs().flush();
}

static llvm::raw_ostream &error() {
  return llvm::WithColor::error(llvm::errs(), "ds-run");
}

static int fail(llvm::Error err) {
  error() << llvm::toString(std::move(err)) << "\n";
  return kExitFailure;
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// "file:line:col: " for the first file location inside `loc`.
static void printLocation(Location loc, llvm::raw_ostream &os) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    if (file.getLine() != 0)
      os << ':' << file.getLine() << ':' << file.getColumn();
    os << ": ";
  } else if (auto name = dyn_cast<NameLoc>(loc)) {
    printLocation(name.getChildLoc(), os);
    os << "'" << name.getName().getValue() << "': ";
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (!fused.getLocations().empty())
      printLocation(fused.getLocations().front(), os);
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    printLocation(callSite.getCallee(), os);
  }
}

/// Prints diagnostics as "loc: error: message" lines. The ONNX importer's
/// locations point into a binary file, so no source lines are shown.
static LogicalResult printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  auto print = [&](Diagnostic &d) {
    printLocation(d.getLocation(), os);
    switch (d.getSeverity()) {
    case DiagnosticSeverity::Error: os << "error: "; break;
    case DiagnosticSeverity::Warning: os << "warning: "; break;
    case DiagnosticSeverity::Note: os << "note: "; break;
    case DiagnosticSeverity::Remark: os << "remark: "; break;
    }
    os << d.str() << "\n";
  };
  print(diag);
  for (Diagnostic &note : diag.getNotes())
    print(note);
  return success();
}

//===----------------------------------------------------------------------===//
// The compiled module
//===----------------------------------------------------------------------===//

struct TensorSpec {
  std::string name;
  dsrt_dtype dtype;
  llvm::SmallVector<int64_t, 4> shape; // -1: known at run time

  std::string typeString() const { return formatTensorType(dtype, shape); }
  bool accepts(const HostTensor &t) const {
    if (t.dtype() != dtype || t.rank() != static_cast<int64_t>(shape.size()))
      return false;
    for (auto [want, have] : llvm::zip_equal(shape, t.shape()))
      if (want != -1 && want != have)
        return false;
    return true;
  }
};

struct ModuleDeleter {
  void operator()(dsrt_module *m) const { dsrt_module_free(m); }
};
using ModuleHandle = std::unique_ptr<dsrt_module, ModuleDeleter>;

static Expected<std::vector<TensorSpec>> moduleSpecs(dsrt_module *m,
                                                     bool inputs) {
  std::vector<TensorSpec> specs;
  int32_t n = inputs ? dsrt_module_num_inputs(m) : dsrt_module_num_outputs(m);
  for (int32_t i = 0; i < n; ++i) {
    dsrt_tensor_info info;
    dsrt_status st = inputs ? dsrt_module_input_info(m, i, &info)
                            : dsrt_module_output_info(m, i, &info);
    if (st != DSRT_OK)
      return llvm::createStringError("cannot query the artifact: %s",
                                     dsrt_last_error());
    specs.push_back({info.name ? info.name : "", info.dtype,
                     {info.shape, info.shape + info.rank}});
  }
  return specs;
}

static std::string describeSpecs(llvm::ArrayRef<TensorSpec> specs) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(specs, os, [&](const TensorSpec &t) {
    os << "'" << t.name << "' " << t.typeString();
  });
  return s;
}

//===----------------------------------------------------------------------===//
// Inputs and reference outputs
//===----------------------------------------------------------------------===//

/// The files DIR/<prefix><i>.pb, in numeric order of i.
static Expected<std::vector<std::string>> listNumbered(StringRef dir,
                                                       StringRef prefix) {
  std::vector<std::pair<unsigned, std::string>> found;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef base = llvm::sys::path::filename(it->path());
    StringRef digits = base;
    unsigned index;
    if (!digits.consume_front(prefix) || !digits.consume_back(".pb") ||
        digits.getAsInteger(10, index))
      continue;
    found.emplace_back(index, it->path());
  }
  if (ec)
    return llvm::createStringError(ec, "%s: %s", dir.str().c_str(),
                                   ec.message().c_str());
  llvm::sort(found);
  for (auto [pos, entry] : llvm::enumerate(found))
    if (entry.first != pos)
      return llvm::createStringError(
          "%s: %s%u.pb is missing (found %s)", dir.str().c_str(),
          prefix.str().c_str(), static_cast<unsigned>(pos),
          llvm::sys::path::filename(entry.second).str().c_str());
  std::vector<std::string> paths;
  for (auto &entry : found)
    paths.push_back(std::move(entry.second));
  return paths;
}

/// ONNX test data stores bfloat16 tensors as uint16 bit patterns (numpy has
/// no bfloat16); read them as what the model declares.
static void adoptBFloat16(dsrt_dtype wanted, HostTensor &t) {
  if (wanted == DSRT_BF16 && t.dtype() == DSRT_U16)
    t.bitcastTo(DSRT_BF16);
}

static llvm::Error checkInput(const TensorSpec &spec, HostTensor &t,
                              StringRef file) {
  adoptBFloat16(spec.dtype, t);
  if (spec.accepts(t))
    return llvm::Error::success();
  return llvm::createStringError("input '%s' (%s): expected %s, found %s",
                                 spec.name.c_str(), file.str().c_str(),
                                 spec.typeString().c_str(),
                                 t.typeString().c_str());
}

/// Reads the inputs in model order, from --test-data or --input.
static Expected<std::vector<HostTensor>>
readInputs(llvm::ArrayRef<TensorSpec> specs,
           llvm::ArrayRef<std::pair<std::string, std::string>> named) {
  std::vector<HostTensor> inputs;
  if (!named.empty()) {
    llvm::StringMap<std::string> byName;
    for (const auto &[name, file] : named) {
      if (!llvm::any_of(specs, [&](const TensorSpec &s) { return s.name == name; }))
        return llvm::createStringError(
            "--input %s: the model has no input '%s'; its inputs are: %s",
            name.c_str(), name.c_str(), describeSpecs(specs).c_str());
      if (!byName.try_emplace(name, file).second)
        return llvm::createStringError("--input %s given twice", name.c_str());
    }
    std::vector<std::string> missing;
    for (const TensorSpec &s : specs)
      if (!byName.count(s.name))
        missing.push_back("'" + s.name + "' " + s.typeString());
    if (!missing.empty())
      return llvm::createStringError("missing --input for %s",
                                     llvm::join(missing, ", ").c_str());
    for (const TensorSpec &s : specs) {
      StringRef file = byName[s.name];
      Expected<HostTensor> t = readTensorFile(file);
      if (!t)
        return t.takeError();
      if (llvm::Error e = checkInput(s, *t, file))
        return std::move(e);
      inputs.push_back(std::move(*t));
    }
    return std::move(inputs);
  }

  if (testDataDir.empty() && specs.empty())
    return std::move(inputs);
  if (testDataDir.empty())
    return llvm::createStringError(
        "no inputs given; the model expects %zu input%s: %s (use --test-data "
        "DIR or --input NAME=FILE)",
        specs.size(), specs.size() == 1 ? "" : "s",
        describeSpecs(specs).c_str());
  Expected<std::vector<std::string>> files =
      listNumbered(testDataDir, "input_");
  if (!files)
    return files.takeError();
  if (files->size() != specs.size())
    return llvm::createStringError(
        "%s: the model expects %zu input%s (%s), the test data has %zu "
        "input_<i>.pb file%s",
        testDataDir.c_str(), specs.size(), specs.size() == 1 ? "" : "s",
        describeSpecs(specs).c_str(), files->size(),
        files->size() == 1 ? "" : "s");
  for (auto [spec, file] : llvm::zip_equal(specs, *files)) {
    Expected<HostTensor> t = readTensorProtoFile(file);
    if (!t)
      return t.takeError();
    if (llvm::Error e = checkInput(spec, *t, file))
      return std::move(e);
    inputs.push_back(std::move(*t));
  }
  return std::move(inputs);
}

/// The tolerances for outputs of `dtype`. A relative tolerance finer than
/// the type's machine epsilon would demand bit-exact rounding, so it is
/// raised to the epsilon for float16 (2^-10) and bfloat16 (2^-7): results
/// may then differ by one unit in the last place, e.g. where a reference
/// truncated to bfloat16 and ds rounds to nearest even.
static CompareOptions toleranceFor(dsrt_dtype dtype) {
  CompareOptions o{rtolOpt, atolOpt};
  if (dtype == DSRT_F16)
    o.rtol = std::max(o.rtol, 0x1p-10);
  else if (dtype == DSRT_BF16)
    o.rtol = std::max(o.rtol, 0x1p-7);
  return o;
}

/// Compares the outputs with DIR/output_<i>.pb; prints one line per output
/// and a final PASS/FAIL line. Returns whether all matched.
static Expected<bool> checkOutputs(llvm::ArrayRef<HostTensor> outputs) {
  Expected<std::vector<std::string>> files =
      listNumbered(testDataDir, "output_");
  if (!files)
    return files.takeError();
  if (files->size() != outputs.size())
    return llvm::createStringError(
        "%s: the model has %zu output%s, the test data has %zu output_<i>.pb "
        "file%s",
        testDataDir.c_str(), outputs.size(), outputs.size() == 1 ? "" : "s",
        files->size(), files->size() == 1 ? "" : "s");
  bool allPass = true;
  llvm::raw_ostream &os = llvm::outs();
  for (auto [actual, file] : llvm::zip_equal(outputs, *files)) {
    Expected<HostTensor> expected = readTensorProtoFile(file);
    if (!expected)
      return expected.takeError();
    adoptBFloat16(actual.dtype(), *expected);
    os << "output '" << actual.name() << "': ";
    CompareOptions options = toleranceFor(actual.dtype());
    Expected<CompareResult> r = compareTensors(actual, *expected, options);
    if (!r) {
      llvm::consumeError(r.takeError());
      os << "expected " << expected->typeString() << ", found "
         << actual.typeString() << " FAIL\n";
      allPass = false;
      continue;
    }
    os << llvm::format("max_abs_err=%.6g max_rel_err=%.6g ", r->maxAbsError,
                       r->maxRelError)
       << (r->allClose() ? "PASS" : "FAIL") << "\n";
    if (!r->allClose()) {
      os << llvm::format("  %lld of %lld elements differ; first at index "
                         "%lld: got %.9g, expected %.9g (rtol=%g atol=%g)\n",
                         static_cast<long long>(r->numMismatches),
                         static_cast<long long>(actual.numElements()),
                         static_cast<long long>(r->firstMismatchIndex),
                         r->firstMismatchActual, r->firstMismatchExpected,
                         options.rtol, options.atol);
      allPass = false;
    }
  }
  os << (allPass ? "PASS" : "FAIL") << "\n";
  return allPass;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// Runs the module. With `calleeAllocates` (a model with outputs of dynamic
/// shape), the runtime allocates the outputs and `outputs` is replaced by
/// copies of them; otherwise the run writes into `out`, views of `outputs`.
static llvm::Error runOnce(dsrt_module *m, std::vector<dsrt_tensor> &in,
                           std::vector<dsrt_tensor> &out,
                           std::vector<HostTensor> &outputs,
                           bool calleeAllocates) {
  if (!calleeAllocates) {
    if (dsrt_module_run(m, in.data(), static_cast<int32_t>(in.size()),
                        out.data(), static_cast<int32_t>(out.size())) != DSRT_OK)
      return llvm::createStringError("run failed: %s", dsrt_last_error());
    return llvm::Error::success();
  }
  std::vector<dsrt_tensor> owned(outputs.size());
  if (dsrt_module_run_alloc(m, in.data(), static_cast<int32_t>(in.size()),
                            owned.data(),
                            static_cast<int32_t>(owned.size())) != DSRT_OK)
    return llvm::createStringError("run failed: %s", dsrt_last_error());
  llvm::scope_exit release([&] {
    for (dsrt_tensor &t : owned)
      dsrt_tensor_free(&t);
  });
  for (auto [host, t] : llvm::zip_equal(outputs, owned)) {
    Expected<HostTensor> copy = HostTensor::create(
        t.dtype, llvm::ArrayRef<int64_t>(t.shape, t.rank), host.name());
    if (!copy)
      return copy.takeError();
    if (copy->sizeInBytes() > 0)
      std::memcpy(copy->data(), t.data, copy->sizeInBytes());
    host = std::move(*copy);
  }
  return llvm::Error::success();
}

/// The process's peak resident set (VmHWM in /proc/self/status), in KiB;
/// 0 where that is unavailable.
static uint64_t peakRssKiB() {
  FILE *f = std::fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  char line[256];
  unsigned long long kib = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %llu kB", &kib) == 1)
      break;
  std::fclose(f);
  return kib;
}

/// Starts a new peak-RSS measurement at the current RSS (Linux: writing 5
/// to /proc/self/clear_refs). False where the kernel does not allow it.
static bool resetPeakRss() {
  FILE *f = std::fopen("/proc/self/clear_refs", "w");
  if (!f)
    return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

/// Set by main: the compile's wall time and peak RSS when this process
/// compiled the model (not for a .so), for the --bench report.
static std::optional<double> compileSeconds;
static uint64_t compilePeakRssKiB = 0;
static bool peakRssWasReset = false;

/// GPU artifacts: libdsrt's device-memory counters (runtime/lib/gpu);
/// returns 0 when no GPU artifact is loaded.
extern "C" int dsrtGpuMemoryCounters(uint64_t out[5]);
/// GPU artifacts: device-side timing of each call's kernels, from an event
/// before its first launch to one after its last (runtime/lib/gpu/
/// KernelTimer.h); dsrtGpuKernelTime returns 0 when no GPU artifact is loaded.
extern "C" void dsrtGpuKernelTiming(int enable);
extern "C" int dsrtGpuKernelTime(double *milliseconds, uint64_t out[2]);

static double medianOf(std::vector<double> sorted) {
  llvm::sort(sorted);
  size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static llvm::Error bench(dsrt_module *m, std::vector<dsrt_tensor> &in,
                         std::vector<dsrt_tensor> &out,
                         std::vector<HostTensor> &outputs,
                         bool calleeAllocates, unsigned runs) {
  using Clock = std::chrono::steady_clock;
  uint64_t gpuBefore[5] = {0, 0, 0, 0, 0};
  bool gpu = dsrtGpuMemoryCounters(gpuBefore) != 0;
  if (gpu)
    dsrtGpuKernelTiming(1);
  // Per run: device milliseconds of its kernels, and whether every interval
  // of the run could be timed.
  std::vector<double> ms, deviceMs;
  bool deviceTimed = gpu;
  ms.reserve(runs);
  Clock::time_point lastProgress = Clock::now();
  for (unsigned i = 0; i < runs; ++i) {
    Clock::time_point t0 = Clock::now();
    if (i == 0 || t0 - lastProgress > std::chrono::milliseconds(100)) {
      progress("ds-run: bench run " + llvm::Twine(i + 1) + "/" +
               llvm::Twine(runs));
      lastProgress = t0;
    }
    double kernelsBefore = 0, kernelsAfter = 0;
    uint64_t countsBefore[2] = {0, 0}, countsAfter[2] = {0, 0};
    if (gpu)
      dsrtGpuKernelTime(&kernelsBefore, countsBefore);
    if (llvm::Error e = runOnce(m, in, out, outputs, calleeAllocates)) {
      progress("");
      if (gpu)
        dsrtGpuKernelTiming(0);
      return e;
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (gpu && dsrtGpuKernelTime(&kernelsAfter, countsAfter)) {
      deviceMs.push_back(kernelsAfter - kernelsBefore);
      if (countsAfter[1] != countsBefore[1] ||
          countsAfter[0] == countsBefore[0])
        deviceTimed = false;
    }
  }
  progress("");
  if (gpu)
    dsrtGpuKernelTiming(0);
  std::vector<double> sorted = ms;
  llvm::sort(sorted);
  size_t n = sorted.size();
  double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  double mean = 0;
  for (double v : ms)
    mean += v / n;
  // The first line is parsed by bench scripts: keep its format.
  llvm::outs() << llvm::format("ds median_ms=%.4f min_ms=%.4f\n", median,
                               sorted.front());
  llvm::outs() << llvm::format("ds-run: %u timed runs after 1 warm-up: median "
                               "%.4f ms, min %.4f ms, max %.4f ms, mean %.4f "
                               "ms\n",
                               runs, median, sorted.front(), sorted.back(),
                               mean);
  // GPU: the kernels alone, timed on the device (what cuBLAS-style
  // benchmarks report), beside the wall time above, which also includes
  // staging inputs and outputs and the synchronization.
  if (gpu && deviceTimed && deviceMs.size() == runs) {
    double deviceMedian = medianOf(deviceMs);
    double deviceMin = *std::min_element(deviceMs.begin(), deviceMs.end());
    llvm::outs() << llvm::format("ds device_ms median=%.4f min=%.4f\n",
                                 deviceMedian, deviceMin);
    llvm::outs() << llvm::format(
        "ds-run: kernels alone (device events from the first to the last "
        "launch of each run): median %.4f ms, min %.4f ms",
        deviceMedian, deviceMin);
    if (median > deviceMedian)
      llvm::outs() << llvm::format("; the rest of the wall time (%.1f%% at "
                                   "the median) is staging and "
                                   "synchronization",
                                   100.0 * (median - deviceMedian) / median);
    llvm::outs() << "\n";
  } else if (gpu) {
    llvm::outs() << "ds-run: kernels alone: not measured (the GPU driver "
                    "could not time events, or a run launched no kernel)\n";
  }

  // Memory. The buffer counters were reset before the warm-up run, so they
  // cover runs + 1 calls.
  dsrt_memory_stats stats;
  dsrt_memory_stats_get(&stats);
  uint64_t rss = peakRssKiB();
  llvm::outs() << llvm::format(
      "ds memory peak_rss_kb=%llu buffer_peak_bytes=%llu "
      "buffer_allocs_per_run=%.1f buffer_bytes_per_run=%.0f",
      (unsigned long long)rss, (unsigned long long)stats.peak_bytes,
      double(stats.allocations) / (runs + 1),
      double(stats.allocated_bytes) / (runs + 1));
  if (compileSeconds)
    llvm::outs() << llvm::format(" compile_s=%.3f compile_peak_rss_kb=%llu",
                                 *compileSeconds,
                                 (unsigned long long)compilePeakRssKiB);
  llvm::outs() << "\n";
  // GPU: what a timed run includes. Constants stay resident (uploaded by
  // the warm-up); each run copies the inputs in and the outputs out and
  // synchronizes once, all inside the timed interval.
  uint64_t gpuAfter[5];
  if (gpu && dsrtGpuMemoryCounters(gpuAfter))
    llvm::outs() << llvm::format(
        "ds gpu copies_per_run=%.1f staged_bytes_per_run=%.0f "
        "resident_constant_bytes=%llu uploads_during_timed_runs=%llu "
        "driver_allocs_during_timed_runs=%llu\n",
        double(gpuAfter[0] - gpuBefore[0]) / runs,
        double(gpuAfter[1] - gpuBefore[1]) / runs,
        (unsigned long long)gpuAfter[2],
        (unsigned long long)(gpuAfter[3] - gpuBefore[3]),
        (unsigned long long)(gpuAfter[4] - gpuBefore[4]));
  llvm::outs() << llvm::format(
      "ds-run: memory: the model's own buffers (intermediates or their arena; "
      "not inputs, outputs or packed weights) peaked at %.2f MiB; per run "
      "%.1f allocations of %.2f MiB in all\n",
      stats.peak_bytes / 1048576.0, double(stats.allocations) / (runs + 1),
      double(stats.allocated_bytes) / (runs + 1) / 1048576.0);
  if (compileSeconds)
    llvm::outs() << llvm::format(
        "ds-run: memory: peak RSS %.1f MiB for the compile (%.2f s); %.1f MiB "
        "%s\n",
        compilePeakRssKiB / 1024.0, *compileSeconds, rss / 1024.0,
        peakRssWasReset ? "from then to the end of the runs (includes what "
                          "the compiler left on the heap; run the .so alone "
                          "for the runtime's own figure)"
                        : "for the whole process (the kernel did not let the "
                          "peak be reset after compiling)");
  else
    llvm::outs() << llvm::format("ds-run: memory: peak RSS %.1f MiB for the "
                                 "whole process (load and runs)\n",
                                 rss / 1024.0);
  return llvm::Error::success();
}

static llvm::Error writeOutputs(llvm::ArrayRef<HostTensor> outputs) {
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return llvm::createStringError(ec, "cannot create --output-dir '%s': %s",
                                   outputDir.c_str(), ec.message().c_str());
  for (auto [i, t] : llvm::enumerate(outputs)) {
    SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "output_" + std::to_string(i) + ".pb");
    if (llvm::Error e = writeTensorProtoFile(t, path))
      return e;
  }
  return llvm::Error::success();
}

/// A short printout of an output when there is nothing to compare with.
static void summarize(const HostTensor &t) {
  llvm::raw_ostream &os = llvm::outs();
  os << "output '" << t.name() << "': " << t.typeString() << " [";
  int64_t shown = std::min<int64_t>(t.numElements(), 10);
  for (int64_t i = 0; i < shown; ++i)
    os << (i ? ", " : "") << llvm::format("%g", elementAsDouble(t, i));
  os << (shown < t.numElements() ? ", ...]\n" : "]\n");
}

/// Compiles the model into `artifact`. Returns an exit code on failure.
static std::optional<int> compile(StringRef artifact) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  std::string firstError;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (firstError.empty() && diag.getSeverity() == DiagnosticSeverity::Error)
      firstError = diag.str();
    return printDiagnostic(diag);
  });
  // --timing: one scope per stage, the pass managers' passes nested in it;
  // printed to stderr when `timing` goes out of scope.
  DefaultTimingManager timing;
  timing.setEnabled(timingOpt);
  TimingScope root = timing.getRootScope();
  std::optional<TimingScope> stageScope;
  CompileOptions options;
  options.fuseAttention = !noFuseAttention;
  std::optional<TargetKind> kind = parseTargetKind(targetOpt);
  if (!kind) {
    error() << "--target=" << targetOpt << ": expected cpu, cuda or rocm\n";
    return kExitFailure;
  }
  if (*kind == TargetKind::CPU && !chipOpt.empty()) {
    error() << "--chip applies to --target=cuda or rocm\n";
    return kExitFailure;
  }
  if (allowTF32Opt && *kind != TargetKind::CUDA) {
    error() << "--allow-tf32 applies to --target=cuda\n";
    return kExitFailure;
  }
  if (gpuWgmmaOpt && *kind != TargetKind::CUDA) {
    error() << "--gpu-wgmma applies to --target=cuda (with --chip=sm_90a)\n";
    return kExitFailure;
  }
  options.targetKind = *kind;
  options.chip = chipOpt;
  options.allowTF32 = allowTF32Opt;
  options.wgmma = gpuWgmmaOpt;
  if (!shardOpt.empty()) {
    std::string why;
    if (!parseShardOptions(shardOpt, options.shard, why)) {
      error() << "--shard=" << shardOpt << ": " << why << "\n";
      return kExitFailure;
    }
  }
  options.topology = topologyOpt;
  options.topologyReport = topologyReportOpt;
  options.quantize = quantizeOpt;
  options.target.planBuffers = planBuffersOpt;
  options.target.parallelizeLoops = parallelLoopsOpt;
  options.beforeStage = [&](StringRef stage) {
    if (timingOpt) {
      stageScope.reset();
      stageScope.emplace(root.nest(stage.str()));
    }
    progress("ds-run: compiling " + llvm::sys::path::filename(modelPath) +
             ": " + stage);
  };
  if (timingOpt)
    options.configurePassManager = [&](PassManager &pm) {
      pm.enableTiming(stageScope ? *stageScope : root);
      return success();
    };
  CompileStatus status = compileFile(modelPath, context, options, artifact);
  progress("");
  stageScope.reset();
  root.stop();
  if (status == CompileStatus::Success)
    return std::nullopt;
  // One line that says why, for harnesses that keep a single line.
  std::string why = firstError.empty() ? "" : ": " + firstError;
  if (status == CompileStatus::Unsupported)
    error() << "unsupported model '" << modelPath << "'" << why << "\n";
  else
    error() << "cannot compile '" << modelPath << "' ("
            << stringifyCompileStatus(status) << ")" << why << "\n";
  return getExitCode(status);
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "ds-run: compile a model for the CPU, run it, check it\n");

  // Check everything cheap before compiling.
  if (!llvm::sys::fs::is_regular_file(modelPath))
    return fail(llvm::createStringError(
        "cannot open model '%s': %s", modelPath.c_str(),
        llvm::sys::fs::exists(modelPath) ? "not a regular file"
                                         : "no such file"));
  if (!testDataDir.empty() && !llvm::sys::fs::is_directory(testDataDir))
    return fail(llvm::createStringError(
        "--test-data '%s' is not a directory", testDataDir.c_str()));
  if (!testDataDir.empty() && !inputSpecs.empty())
    return fail(llvm::createStringError(
        "use either --test-data or --input, not both"));
  if (numThreads < 0)
    return fail(llvm::createStringError(
        "--num-threads must be a positive thread count, got %d", (int)numThreads));
  std::vector<std::pair<std::string, std::string>> named;
  for (const std::string &spec : inputSpecs) {
    auto [name, file] = StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail(llvm::createStringError(
          "--input '%s': expected NAME=FILE", spec.c_str()));
    if (!llvm::sys::fs::exists(file))
      return fail(llvm::createStringError("--input %s: no such file '%s'",
                                          name.str().c_str(),
                                          file.str().c_str()));
    named.emplace_back(name.str(), file.str());
  }
  if (rtolOpt < 0 || atolOpt < 0)
    return fail(llvm::createStringError("--rtol and --atol must be >= 0"));
  if (topologyReportOpt && topologyOpt.empty())
    return fail(llvm::createStringError(
        "--ds-topology-report explains --topology's choices: give a cluster "
        "description with --topology FILE"));
  if (!topologyOpt.empty()) {
    // The compiled schedules assume the file's nodes; the runtime must group
    // ranks the same way (on one host it would see a single node).
    ::ds::topo::Diagnostic diag;
    std::optional<::ds::topo::Topology> topology =
        ::ds::topo::loadTopology(topologyOpt, diag);
    if (!topology)
      return fail(llvm::createStringError("--topology: %s",
                                          diag.str().c_str()));
    if (!std::getenv("DS_COLL_RANKS_PER_NODE"))
      ::setenv("DS_COLL_RANKS_PER_NODE",
               std::to_string(topology->devicesPerNode).c_str(),
               /*overwrite=*/0);
  }

  std::string artifact = modelPath;
  SmallString<128> tempDir;
  llvm::scope_exit cleanup([&] {
    if (!tempDir.empty())
      llvm::sys::fs::remove_directories(tempDir);
  });
  if (!StringRef(modelPath).ends_with(".so")) {
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("ds-run", tempDir))
      return fail(llvm::createStringError(
          ec, "cannot create a temporary directory: %s", ec.message().c_str()));
    SmallString<256> path(tempDir);
    llvm::sys::path::append(path, "model.so");
    artifact = path.str().str();
    auto compileStart = std::chrono::steady_clock::now();
    if (std::optional<int> rc = compile(artifact))
      return *rc;
    compileSeconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - compileStart)
                         .count();
    compilePeakRssKiB = peakRssKiB();
    peakRssWasReset = resetPeakRss();
    if (!keepArtifact.empty())
      if (std::error_code ec = llvm::sys::fs::copy_file(artifact, keepArtifact))
        return fail(llvm::createStringError(
            ec, "cannot copy the artifact to '%s': %s", keepArtifact.c_str(),
            ec.message().c_str()));
  }

  // dlopen searches the library path for names without a slash.
  SmallString<256> absArtifact(artifact);
  if (std::error_code ec = llvm::sys::fs::make_absolute(absArtifact))
    return fail(llvm::createStringError(ec, "%s: %s", artifact.c_str(),
                                        ec.message().c_str()));
  artifact = absArtifact.str().str();
  if (numThreads > 0)
    dsrt_set_num_threads(numThreads);
  dsrt_module *raw = nullptr;
  if (dsrt_module_load(artifact.c_str(), &raw) != DSRT_OK)
    return fail(llvm::createStringError("cannot load the artifact: %s",
                                        dsrt_last_error()));
  ModuleHandle module(raw);

  Expected<std::vector<TensorSpec>> inSpecs = moduleSpecs(raw, true);
  if (!inSpecs)
    return fail(inSpecs.takeError());
  Expected<std::vector<TensorSpec>> outSpecs = moduleSpecs(raw, false);
  if (!outSpecs)
    return fail(outSpecs.takeError());

  Expected<std::vector<HostTensor>> inputs = readInputs(*inSpecs, named);
  if (!inputs)
    return fail(inputs.takeError());

  // Outputs whose shape is known only at run time (a dynamic batch, a
  // NonZero) are allocated by the runtime; static ones by ds-run.
  bool calleeAllocates = llvm::any_of(*outSpecs, [](const TensorSpec &s) {
    return llvm::is_contained(s.shape, -1);
  });
  std::vector<HostTensor> outputs;
  for (const TensorSpec &s : *outSpecs) {
    if (calleeAllocates) {
      outputs.emplace_back();
      outputs.back().setName(s.name);
      continue;
    }
    Expected<HostTensor> t = HostTensor::create(s.dtype, s.shape, s.name);
    if (!t)
      return fail(t.takeError());
    outputs.push_back(std::move(*t));
  }

  std::vector<dsrt_tensor> in, out;
  for (HostTensor &t : *inputs)
    in.push_back(t.view());
  if (!calleeAllocates)
    for (HostTensor &t : outputs)
      out.push_back(t.view());
  dsrt_memory_stats_reset();
  if (llvm::Error e = runOnce(raw, in, out, outputs, calleeAllocates))
    return fail(std::move(e));
  if (benchRuns > 0)
    if (llvm::Error e = bench(raw, in, out, outputs, calleeAllocates, benchRuns))
      return fail(std::move(e));

  if (!outputDir.empty())
    if (llvm::Error e = writeOutputs(outputs))
      return fail(std::move(e));

  if (printOutputs || (testDataDir.empty() && benchRuns == 0))
    for (const HostTensor &t : outputs)
      summarize(t);
  if (testDataDir.empty())
    return 0;
  Expected<bool> pass = checkOutputs(outputs);
  if (!pass)
    return fail(pass.takeError());
  return *pass ? 0 : kExitFailure;
}
