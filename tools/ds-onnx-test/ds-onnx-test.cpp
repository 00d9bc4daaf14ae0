//===- ds-onnx-test.cpp - ONNX backend-test conformance runner ------------===//
//
// Finds ONNX backend test folders (a folder holding model.onnx and one or
// more test_data_set_*), runs `ds-run model.onnx --test-data SET` for each
// data set in its own process, and prints one line per test folder:
//
//   PASS name
//   FAIL name: <first error line>
//   SKIP name: <why the model is unsupported>      (ds-run exited with 3)
//
// then "N passed, N failed, N skipped". Exits 0 iff nothing failed.
//
// Children are started with ExecuteNoWait and polled from this one thread:
// ExecuteAndWait's timeout arms the process-wide alarm(), which is unsound
// with several children waited on concurrently.
//
//===----------------------------------------------------------------------===//

#include "onnx/onnx_pb.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <climits>
#include <csignal>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <thread>

using namespace llvm;

static cl::OptionCategory category("ds-onnx-test options");

static cl::list<std::string> inputDirs(cl::Positional, cl::OneOrMore,
                                       cl::desc("<dir>..."),
                                       cl::cat(category));
static cl::opt<unsigned> jobs("jobs", cl::init(2),
                              cl::desc("Tests run in parallel (default 2)"),
                              cl::cat(category));
static cl::alias jobsShort("j", cl::aliasopt(jobs), cl::desc("Alias for --jobs"));
static cl::opt<unsigned> timeoutSec(
    "timeout", cl::init(120),
    cl::desc("Seconds one ds-run may take before it counts as failed "
             "(default 120, 0 = none)"),
    cl::cat(category));
static cl::opt<std::string>
    dsRunPath("ds-run", cl::desc("The ds-run binary (default: next to this one)"),
              cl::value_desc("path"), cl::cat(category));
static cl::list<std::string> onlyOps(
    "only-ops", cl::CommaSeparated,
    cl::desc("Run only tests whose ops (subgraphs included) are all in this "
             "comma-separated list; others are not counted"),
    cl::value_desc("Op1,Op2,..."), cl::cat(category));
static cl::opt<std::string>
    filter("filter", cl::desc("Run only tests whose name matches this regex"),
           cl::value_desc("regex"), cl::cat(category));
static cl::opt<std::string> exclude(
    "exclude",
    cl::desc("Do not run (or count) tests whose name matches this regex"),
    cl::value_desc("regex"), cl::cat(category));
static cl::opt<std::string> markdownPath(
    "markdown", cl::value_desc("file"),
    cl::desc("Also write a Markdown report: per op, the opsets and input "
             "types seen and the test counts, then every FAIL and SKIP with "
             "its reason"),
    cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("Print ds-run's output of failures"),
                             cl::cat(category));

namespace {

struct TestCase {
  std::string name;   // path relative to the directory it was found under
  std::string folder; // absolute-ish path of the folder
  std::vector<std::string> dataSets;
  // Outcome, filled in as the data sets finish.
  unsigned pending = 0;
  enum { Pass, Fail, Skip } status = Pass;
  std::string message; // first failure (or skip reason)
  std::string log;     // the output that goes with `message`
  // From the model, for --markdown: op types, default-domain opset, and the
  // element types of the graph inputs.
  std::vector<std::string> ops;
  int64_t opset = 0;
  std::vector<std::string> inputTypes;
};

struct Job {
  TestCase *test;
  std::string dataSet;
};

struct Running {
  Job job;
  sys::ProcessInfo process;
  std::string logPath;
  std::chrono::steady_clock::time_point start;
};

} // namespace

static bool isTestFolder(StringRef dir, std::vector<std::string> &dataSets) {
  SmallString<256> model(dir);
  sys::path::append(model, "model.onnx");
  if (!sys::fs::is_regular_file(model))
    return false;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef base = sys::path::filename(it->path());
    if (base.starts_with("test_data_set_") && sys::fs::is_directory(it->path()))
      dataSets.push_back(it->path());
  }
  // Numeric order: test_data_set_2 before test_data_set_10.
  llvm::sort(dataSets, [](const std::string &a, const std::string &b) {
    auto num = [](StringRef p) {
      unsigned n = UINT_MAX;
      sys::path::filename(p).drop_front(strlen("test_data_set_"))
          .getAsInteger(10, n);
      return n;
    };
    return std::make_pair(num(a), a) < std::make_pair(num(b), b);
  });
  return !dataSets.empty();
}

static void findTests(StringRef root, std::vector<TestCase> &tests) {
  auto add = [&](StringRef dir, std::vector<std::string> sets) {
    TestCase t;
    StringRef rel = dir;
    if (rel.consume_front(root))
      rel = rel.ltrim('/');
    t.name = rel.empty() ? sys::path::filename(dir).str() : rel.str();
    t.folder = dir.str();
    t.dataSets = std::move(sets);
    tests.push_back(std::move(t));
  };
  std::vector<std::string> sets;
  if (isTestFolder(root, sets)) {
    add(root, std::move(sets));
    return;
  }
  std::error_code ec;
  for (sys::fs::recursive_directory_iterator it(root, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (it->type() != sys::fs::file_type::directory_file)
      continue;
    std::vector<std::string> s;
    if (isTestFolder(it->path(), s)) {
      add(it->path(), std::move(s));
      it.no_push(); // test folders do not nest
    }
  }
  if (ec)
    WithColor::warning() << root << ": " << ec.message() << "\n";
}

//===----------------------------------------------------------------------===//
// --only-ops
//===----------------------------------------------------------------------===//

static void collectOps(const onnx::GraphProto &graph, StringSet<> &ops) {
  for (const onnx::NodeProto &node : graph.node()) {
    const std::string &domain = node.domain();
    if (domain.empty() || domain == "ai.onnx")
      ops.insert(node.op_type());
    else
      ops.insert(domain + "::" + node.op_type());
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        collectOps(attr.g(), ops);
      for (const onnx::GraphProto &g : attr.graphs())
        collectOps(g, ops);
    }
  }
}

static const char *elementTypeName(int32_t type) {
  switch (type) {
  case onnx::TensorProto::FLOAT: return "float32";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "float64";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  default: return "other";
  }
}

/// Parses the model in `folder`; an error message on failure.
static std::optional<onnx::ModelProto> parseModel(StringRef folder,
                                                  std::string &error) {
  SmallString<256> path(folder);
  sys::path::append(path, "model.onnx");
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!buf) {
    error = "cannot read " + path.str().str() + ": " + buf.getError().message();
    return std::nullopt;
  }
  StringRef bytes = (*buf)->getBuffer();
  onnx::ModelProto model;
  // Protobuf reports malformed input by returning false; it does not throw.
  if (bytes.size() > INT_MAX ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    error = "cannot parse " + path.str().str() + " as an ONNX model";
    return std::nullopt;
  }
  return model;
}

/// The op types of the model in `folder`, or an error message.
static std::optional<StringSet<>> modelOps(StringRef folder,
                                           std::string &error) {
  std::optional<onnx::ModelProto> parsed = parseModel(folder, error);
  if (!parsed)
    return std::nullopt;
  const onnx::ModelProto &model = *parsed;
  StringSet<> ops;
  collectOps(model.graph(), ops);
  for (const onnx::FunctionProto &f : model.functions())
    for (const onnx::NodeProto &node : f.node())
      ops.insert(node.op_type());
  return ops;
}

/// Fills the --markdown fields of `t` from its model (left empty if the
/// model cannot be read; the test then fails on its own).
static void describeModel(TestCase &t) {
  std::string error;
  std::optional<StringSet<>> ops = modelOps(t.folder, error);
  std::optional<onnx::ModelProto> model = parseModel(t.folder, error);
  if (!ops || !model)
    return;
  for (const auto &op : ops->keys())
    t.ops.push_back(op.str());
  llvm::sort(t.ops);
  for (const onnx::OperatorSetIdProto &id : model->opset_import())
    if (id.domain().empty() || id.domain() == "ai.onnx")
      t.opset = id.version();
  for (const onnx::ValueInfoProto &in : model->graph().input())
    if (in.type().has_tensor_type())
      t.inputTypes.push_back(
          elementTypeName(in.type().tensor_type().elem_type()));
    else
      t.inputTypes.push_back("non-tensor");
}

/// Writes the --markdown report: one row per op (a test counts for every op
/// its model uses), then every FAIL and SKIP with its reason.
static bool writeMarkdown(StringRef path, ArrayRef<TestCase *> tests,
                          unsigned passed, unsigned failed, unsigned skipped) {
  struct OpRow {
    std::set<int64_t> opsets;
    std::set<std::string> types;
    unsigned pass = 0, fail = 0, skip = 0;
  };
  std::map<std::string, OpRow> rows;
  for (const TestCase *t : tests)
    for (const std::string &op : t->ops) {
      OpRow &row = rows[op];
      row.opsets.insert(t->opset);
      row.types.insert(t->inputTypes.begin(), t->inputTypes.end());
      (t->status == TestCase::Pass   ? row.pass
       : t->status == TestCase::Fail ? row.fail
                                     : row.skip)++;
    }
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec) {
    WithColor::error(errs(), "ds-onnx-test")
        << "cannot write '" << path << "': " << ec.message() << "\n";
    return false;
  }
  os << "# ONNX conformance\n\n"
     << "<!-- Generated by scripts/update-conformance.sh "
        "(ds-onnx-test --markdown); do not edit. -->\n\n"
     << "Suites:";
  for (const std::string &dir : inputDirs)
    os << " `" << dir << "`";
  os << "\n\n**" << passed << " passed, " << failed << " failed, " << skipped
     << " skipped** of " << tests.size() << " tests.\n\n"
     << "## By op\n\n"
     << "A test counts once for every op its model uses. *Opsets* and "
        "*input types* are those of the tests, not all that ds supports.\n\n"
     << "| op | opsets | input types | passed | failed | skipped |\n"
     << "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto &[op, row] : rows) {
    os << "| " << op << " | ";
    llvm::interleave(row.opsets, os, ", ");
    os << " | ";
    llvm::interleave(row.types, os, ", ");
    os << " | " << row.pass << " | " << row.fail << " | " << row.skip
       << " |\n";
  }
  for (auto [title, status] :
       {std::make_pair("Failures", TestCase::Fail),
        std::make_pair("Skips", TestCase::Skip)}) {
    os << "\n## " << title << "\n\n";
    bool any = false;
    for (const TestCase *t : tests) {
      if (t->status != status)
        continue;
      any = true;
      // Table cells cannot hold '|' or newlines.
      std::string why = t->message;
      llvm::replace(why, '|', '/');
      llvm::replace(why, '\n', ' ');
      os << "- `" << t->name << "`: " << why << "\n";
    }
    if (!any)
      os << "None.\n";
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// The line of `log` that best explains a failure or a skip: the first that
/// reads like an error (for a skip, the importer's first diagnostic comes
/// before ds-run's summary), else the last non-empty one. The model's path,
/// which the test name already says, is dropped from the front.
static std::string pickMessage(StringRef log, StringRef modelPath,
                               bool forSkip) {
  SmallVector<StringRef> lines;
  log.split(lines, '\n', -1, /*KeepEmpty=*/false);
  auto tidy = [&](StringRef line) {
    line = line.trim();
    if (line.consume_front(modelPath))
      line = line.ltrim(": ");
    return line.str();
  };
  for (StringRef line : lines) {
    std::string lower = line.lower();
    StringRef l(lower);
    if (l.contains("error") || (forSkip && l.contains("unsupported")) ||
        (!forSkip && line.trim().ends_with("FAIL")))
      return tidy(line);
  }
  for (StringRef line : llvm::reverse(lines))
    if (!line.trim().empty())
      return tidy(line);
  return "";
}

static std::string readLog(StringRef path) {
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/true,
                                   /*RequiresNullTerminator=*/false);
  return buf ? (*buf)->getBuffer().str() : std::string();
}

static bool start(const Job &job, StringRef dsRun, Running &r,
                  std::string &error) {
  r.job = job;
  int fd;
  SmallString<128> logPath;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("ds-onnx-test", "log", fd, logPath)) {
    error = "cannot create a log file: " + ec.message();
    return false;
  }
  sys::Process::SafelyCloseFileDescriptor(fd);
  r.logPath = logPath.str().str();
  SmallString<256> model(job.test->folder);
  sys::path::append(model, "model.onnx");
  std::string modelStr = model.str().str();
  SmallVector<StringRef> args = {dsRun, modelStr, "--test-data", job.dataSet};
  std::optional<StringRef> redirects[] = {StringRef(""), StringRef(r.logPath),
                                          StringRef(r.logPath)};
  bool failed = false;
  r.process = sys::ExecuteNoWait(dsRun, args, std::nullopt, redirects,
                                 /*MemoryLimit=*/0, &error, &failed);
  r.start = std::chrono::steady_clock::now();
  if (failed || r.process.Pid == sys::ProcessInfo::InvalidPid) {
    sys::fs::remove(r.logPath);
    if (error.empty())
      error = "cannot execute " + dsRun.str();
    return false;
  }
  return true;
}

/// Records the outcome of one data set in its test. The first failure wins;
/// an unsupported model skips the whole test.
static void record(TestCase &t, StringRef dataSet, int rc, StringRef errMsg,
                   bool timedOut, std::string log) {
  SmallString<256> model(t.folder);
  sys::path::append(model, "model.onnx");
  --t.pending;
  if (t.status != TestCase::Pass)
    return;
  std::string where = t.dataSets.size() > 1
                          ? " [" + sys::path::filename(dataSet).str() + "]"
                          : std::string();
  if (timedOut) {
    t.status = TestCase::Fail;
    t.message = "TIMEOUT after " + std::to_string(timeoutSec) + "s" + where;
  } else if (rc == 0) {
    return;
  } else if (rc == 3) {
    t.status = TestCase::Skip;
    t.message = pickMessage(log, model, /*forSkip=*/true);
    if (t.message.empty())
      t.message = "unsupported";
  } else if (rc < 0) {
    t.status = TestCase::Fail;
    t.message = "crashed (" + errMsg.str() + ")" + where;
  } else {
    t.status = TestCase::Fail;
    std::string line = pickMessage(log, model, /*forSkip=*/false);
    t.message = (line.empty() ? "exit code " + std::to_string(rc) : line) + where;
  }
  t.log = std::move(log);
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "ds-onnx-test: run ds-run over ONNX backend test folders\n");

  std::string dsRun = dsRunPath;
  if (dsRun.empty()) {
    std::string self = sys::fs::getMainExecutable(argv[0], (void *)&main);
    SmallString<256> p(sys::path::parent_path(self));
    sys::path::append(p, "ds-run");
    dsRun = p.str().str();
  }
  if (!sys::fs::can_execute(dsRun)) {
    WithColor::error(errs(), "ds-onnx-test")
        << "ds-run not found or not executable at '" << dsRun
        << "' (use --ds-run)\n";
    return 2;
  }

  std::optional<Regex> filterRe, excludeRe;
  for (auto [flag, text, re] :
       {std::make_tuple("filter", &filter, &filterRe),
        std::make_tuple("exclude", &exclude, &excludeRe)}) {
    if (text->empty())
      continue;
    re->emplace(*text);
    std::string err;
    if (!(*re)->isValid(err)) {
      WithColor::error(errs(), "ds-onnx-test")
          << "invalid --" << flag << " regex '" << *text << "': " << err
          << "\n";
      return 2;
    }
  }

  std::vector<TestCase> tests;
  for (const std::string &dir : inputDirs) {
    if (!sys::fs::is_directory(dir)) {
      WithColor::error(errs(), "ds-onnx-test")
          << "'" << dir << "' is not a directory\n";
      return 2;
    }
    findTests(dir, tests);
  }
  llvm::stable_sort(tests, [](const TestCase &a, const TestCase &b) {
    return a.name < b.name;
  });

  StringSet<> allowed;
  for (const std::string &op : onlyOps)
    allowed.insert(StringRef(op).trim());

  // Select tests; those filtered out are not counted at all.
  std::vector<TestCase *> selected;
  for (TestCase &t : tests) {
    if ((filterRe && !filterRe->match(t.name)) ||
        (excludeRe && excludeRe->match(t.name)))
      continue;
    if (!onlyOps.empty()) {
      std::string err;
      std::optional<StringSet<>> ops = modelOps(t.folder, err);
      if (!ops) {
        // Cannot tell which ops it uses: report it rather than hide it.
        t.status = TestCase::Fail;
        t.message = err;
        selected.push_back(&t);
        continue;
      }
      if (!llvm::all_of(ops->keys(),
                        [&](StringRef op) { return allowed.contains(op); }))
        continue;
    }
    selected.push_back(&t);
  }

  if (!markdownPath.empty())
    for (TestCase *t : selected)
      describeModel(*t);

  std::deque<Job> queue;
  for (TestCase *t : selected) {
    if (t->status != TestCase::Pass)
      continue;
    t->pending = t->dataSets.size();
    for (const std::string &set : t->dataSets)
      queue.push_back({t, set});
  }

  unsigned passed = 0, failed = 0, skipped = 0;
  size_t nextToPrint = 0;
  auto printReady = [&] {
    for (; nextToPrint < selected.size(); ++nextToPrint) {
      TestCase &t = *selected[nextToPrint];
      if (t.pending != 0)
        return;
      switch (t.status) {
      case TestCase::Pass:
        ++passed;
        outs() << "PASS " << t.name << "\n";
        break;
      case TestCase::Fail:
        ++failed;
        outs() << "FAIL " << t.name << ": " << t.message << "\n";
        if (verbose && !t.log.empty())
          outs() << t.log << (StringRef(t.log).ends_with("\n") ? "" : "\n");
        break;
      case TestCase::Skip:
        ++skipped;
        outs() << "SKIP " << t.name << ": " << t.message << "\n";
        break;
      }
      outs().flush();
    }
  };

  const unsigned maxJobs = std::max(1u, unsigned(jobs));
  std::vector<Running> running;
  printReady();
  while (!queue.empty() || !running.empty()) {
    while (!queue.empty() && running.size() < maxJobs) {
      Job job = queue.front();
      queue.pop_front();
      Running r;
      std::string err;
      if (!start(job, dsRun, r, err)) {
        record(*job.test, job.dataSet, /*rc=*/-1, err, false,
               "error: " + err);
        continue;
      }
      running.push_back(std::move(r));
    }
    bool progressed = false;
    for (size_t i = 0; i < running.size();) {
      Running &r = running[i];
      std::string errMsg;
      sys::ProcessInfo st = sys::Wait(r.process, /*SecondsToWait=*/0, &errMsg);
      bool timedOut = false;
      if (st.Pid == 0 && timeoutSec != 0 &&
          std::chrono::steady_clock::now() - r.start >
              std::chrono::seconds(timeoutSec)) {
        ::kill(r.process.Pid, SIGKILL);
        st = sys::Wait(r.process, std::nullopt, &errMsg);
        timedOut = true;
      }
      if (st.Pid == 0) {
        ++i;
        continue;
      }
      record(*r.job.test, r.job.dataSet, st.ReturnCode, errMsg, timedOut,
             readLog(r.logPath));
      sys::fs::remove(r.logPath);
      running.erase(running.begin() + i);
      progressed = true;
    }
    printReady();
    if (!progressed && !running.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  printReady();

  if (!markdownPath.empty() &&
      !writeMarkdown(markdownPath, selected, passed, failed, skipped))
    return 2;
  outs() << passed << " passed, " << failed << " failed, " << skipped
         << " skipped\n";
  return failed == 0 ? 0 : 1;
}
