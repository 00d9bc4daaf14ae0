//===- ds-translate.cpp - translate models into ds IR ---------------------===//
//
// `ds-translate --import-onnx model.onnx [-o out.mlir]` prints the dsg module
// of an ONNX model ("-" reads the model from stdin).
//
// `ds-translate --target=cpu|cuda|rocm [--chip=C] [--emit=E] MODEL -o F`
// compiles MODEL (.onnx, or .mlir at dsg or linalg level) for a back end:
//   --emit=artifact (default) the runnable artifact (docs/artifact-abi.md;
//                   GPU artifacts embed the kernels: CUDA a fatbin with the
//                   cubin and the PTX, ROCm an HSACO)
//   --emit=ptx | cubin        CUDA: the PTX of every kernel / its cubin
//   --emit=isa | hsaco        ROCm: AMDGCN assembly / the HSACO
//
// Exit codes: 0 success, 3 the model uses something ds does not support, 1
// any other error. Output is written only on success.
//
//===----------------------------------------------------------------------===//
#include "ds/Compiler/Compiler.h"
#include "ds/Import/ONNX.h"
#include "ds/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum ExitCode { kSuccess = 0, kError = 1, kUnsupported = 3 };
enum class Translation { None, ImportONNX };
} // namespace

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::desc("<input file>"), cl::init("-"));
static cl::opt<std::string> outputFilename("o", cl::desc("Output filename"),
                                           cl::value_desc("filename"),
                                           cl::init("-"));
static cl::opt<Translation> translation(
    cl::desc("Translation to perform:"), cl::init(Translation::None),
    cl::values(
        clEnumValN(Translation::ImportONNX, "import-onnx",
                   "Import an ONNX model (.onnx) into the dsg dialect")));
static cl::opt<std::string> targetOpt(
    "target",
    cl::desc("Compile for a back end: cpu, cuda or rocm (see --emit)"),
    cl::value_desc("cpu|cuda|rocm"), cl::init(""));
static cl::opt<std::string>
    chipOpt("chip", cl::desc("GPU chip: sm_80, sm_90, ... or gfx90a, gfx942"),
            cl::init(""));
static cl::opt<std::string> emitOpt(
    "emit",
    cl::desc("What --target writes: artifact (default), llvm (cpu: the "
             "optimized LLVM IR the back end turns into the artifact's "
             "code), ptx or cubin (cuda), isa or hsaco (rocm)"),
    cl::init("artifact"));
static cl::opt<std::string>
    toolkitOpt("toolkit",
               cl::desc("CUDA toolkit or ROCm path (default: the one found "
                        "when ds was configured)"),
               cl::init(""));
static cl::opt<bool> allowTF32Opt(
    "allow-tf32",
    cl::desc("cuda: run f32 matmuls on tensor cores in tf32 (about 1e-3 "
             "relative error per product)"),
    cl::init(false));
static cl::opt<bool> gpuWgmmaOpt(
    "gpu-wgmma",
    cl::desc("cuda, --chip=sm_90a: f16/bf16 matmuls as warpgroup-MMA "
             "(wgmma) kernels (unverified on a device)"),
    cl::init(false));
static cl::opt<std::string> quantizeOpt(
    "quantize",
    cl::desc("Quantize before compiling: int8, int4, or ds-quantize's "
             "options (docs/quantization.md; on cuda, docs/gpu.md "
             "\"Quantized kernels\")"),
    cl::value_desc("options"), cl::init(""));
static cl::opt<std::string> shardOpt(
    "shard",
    cl::desc("With --target=cpu: partition the model over tp*dp ranks "
             "('tp=N', 'dp=M' or both; docs/distribution.md)"),
    cl::value_desc("tp=N dp=M"), cl::init(""));
static cl::opt<std::string> topologyOpt(
    "topology",
    cl::desc("With --shard: cluster description whose ranks are the grid's; "
             "ds-lower-topology chooses every collective's algorithm for it"),
    cl::value_desc("file"), cl::init(""));
static cl::opt<bool> topologyReportOpt(
    "ds-topology-report",
    cl::desc("With --topology: print, per collective, every candidate "
             "schedule with its predicted time and the choice"),
    cl::init(false));
static cl::opt<size_t> resourceThreshold(
    "onnx-resource-threshold",
    cl::desc("Initializers of at least this many bytes become dense_resource "
             "blobs"),
    cl::init(ds::ONNXImportOptions().resourceThresholdBytes));
static cl::opt<bool> noShapeInference(
    "onnx-no-shape-inference",
    cl::desc("Do not run ONNX shape inference before importing"),
    cl::init(false));

static cl::list<std::string> constantInputs(
    "onnx-const-input",
    cl::desc("Bind a graph input to a constant: NAME=FILE, where FILE holds a "
             "serialized onnx.TensorProto (e.g. a backend test's input_N.pb)"),
    cl::value_desc("name=file"));

static int importONNX(MLIRContext &context, OwningOpRef<ModuleOp> &module) {
  ds::ONNXImportOptions options;
  options.resourceThresholdBytes = resourceThreshold;
  options.runShapeInference = !noShapeInference;
  for (const std::string &binding : constantInputs) {
    auto [name, path] = llvm::StringRef(binding).split('=');
    auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (name.empty() || path.empty() || !file) {
      llvm::errs() << "error: --onnx-const-input=" << binding
                   << ": expected NAME=FILE with a readable FILE\n";
      return kError;
    }
    options.constantInputs[name.str()] = (*file)->getBuffer().str();
  }
  ds::ImportResult result;
  if (inputFilename == "-") {
    auto buffer = llvm::MemoryBuffer::getSTDIN();
    if (!buffer) {
      llvm::errs() << "error: cannot read stdin: "
                   << buffer.getError().message() << "\n";
      return kError;
    }
    result = ds::importONNXBytes((*buffer)->getBuffer(), "<stdin>",
                                 /*baseDir=*/"", &context, module, options);
  } else {
    result = ds::importONNXFile(inputFilename, &context, module, options);
  }
  switch (result) {
  case ds::ImportResult::Success:
    return kSuccess;
  case ds::ImportResult::Unsupported:
    return kUnsupported;
  case ds::ImportResult::Invalid:
    return kError;
  }
  return kError;
}

static int exitCodeOf(ds::CompileStatus status) {
  return ds::getExitCode(status);
}

/// Writes what `write` prints to -o (a file, or "-" for standard output).
static int writeOutput(llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "error: " << error << "\n";
    return kError;
  }
  write(output->os());
  output->keep();
  return kSuccess;
}

/// --emit=llvm: compiles `module` as for an artifact (into a temporary file,
/// removed afterwards) and writes the LLVM IR the CPU back end hands to
/// code generation, after its optimization pipeline.
static int emitLLVM(ModuleOp module, ds::CompileOptions &options) {
  llvm::SmallString<128> artifact;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "ds-translate", "so", artifact)) {
    llvm::errs() << "error: cannot create a temporary file: " << ec.message()
                 << "\n";
    return kError;
  }
  llvm::FileRemover removeArtifact(artifact);
  std::string ir;
  llvm::raw_string_ostream irStream(ir);
  options.target.llvmIRDump = &irStream;
  ds::CompileStatus status = ds::compileModel(module, options, artifact);
  if (status != ds::CompileStatus::Success)
    return exitCodeOf(status);
  return writeOutput([&](llvm::raw_ostream &os) { os << ir; });
}

/// --target mode: load the model, compile it, write what --emit asks for.
static int compile() {
  std::optional<ds::TargetKind> kind = ds::parseTargetKind(targetOpt);
  if (!kind) {
    llvm::errs() << "error: --target=" << targetOpt
                 << ": expected cpu, cuda or rocm\n";
    return kError;
  }
  enum class Emit { Artifact, LLVM, Assembly, Binary };
  Emit emit;
  StringRef e = emitOpt;
  bool cuda = *kind == ds::TargetKind::CUDA, rocm = *kind == ds::TargetKind::ROCm;
  if (e == "artifact")
    emit = Emit::Artifact;
  else if (!cuda && !rocm && e == "llvm")
    emit = Emit::LLVM;
  else if ((cuda && e == "ptx") || (rocm && e == "isa"))
    emit = Emit::Assembly;
  else if ((cuda && e == "cubin") || (rocm && e == "hsaco"))
    emit = Emit::Binary;
  else {
    llvm::errs() << "error: --emit=" << e << " is not available for --target="
                 << targetOpt << " (expected "
                 << (cuda   ? "artifact, ptx or cubin"
                     : rocm ? "artifact, isa or hsaco"
                            : "artifact or llvm")
                 << ")\n";
    return kError;
  }
  if (*kind == ds::TargetKind::CPU && !chipOpt.empty()) {
    llvm::errs() << "error: --chip applies to --target=cuda or rocm\n";
    return kError;
  }
  if (gpuWgmmaOpt && *kind != ds::TargetKind::CUDA) {
    llvm::errs() << "error: --gpu-wgmma applies to --target=cuda (with "
                    "--chip=sm_90a)\n";
    return kError;
  }
  ds::ShardOptions shard;
  if (!shardOpt.empty()) {
    std::string why;
    if (!ds::parseShardOptions(shardOpt, shard, why)) {
      llvm::errs() << "error: --shard=" << shardOpt << ": " << why << "\n";
      return kError;
    }
  }
  if (topologyReportOpt && topologyOpt.empty()) {
    llvm::errs() << "error: --ds-topology-report explains --topology's "
                    "choices: give a cluster description with --topology "
                    "FILE\n";
    return kError;
  }
  if ((emit == Emit::Artifact || emit == Emit::Binary) &&
      outputFilename == "-") {
    llvm::errs() << "error: --emit=" << e
                 << " writes a binary file: give one with -o\n";
    return kError;
  }

  DialectRegistry registry;
  ds::registerCompilerDialects(registry);
  MLIRContext context(registry);
  // A failing device-code step would otherwise print the whole kernel
  // module after the error.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module;
  if (StringRef(inputFilename).ends_with(".onnx") || inputFilename == "-") {
    if (int code = importONNX(context, module))
      return code;
  } else {
    module = parseSourceFile<ModuleOp>(inputFilename, sourceMgr, &context);
    if (!module)
      return kError;
  }

  ds::CompileOptions options;
  options.targetKind = *kind;
  options.chip = chipOpt;
  options.toolkitPath = toolkitOpt;
  options.allowTF32 = allowTF32Opt;
  options.wgmma = gpuWgmmaOpt;
  options.quantize = quantizeOpt;
  options.shard = shard;
  options.topology = topologyOpt;
  options.topologyReport = topologyReportOpt;
  if (emit == Emit::Artifact)
    return exitCodeOf(ds::compileModel(*module, options, outputFilename));
  if (emit == Emit::LLVM)
    return emitLLVM(*module, options);

  std::string bytes;
  ds::CompileStatus status = ds::compileKernels(
      *module, options,
      emit == Emit::Assembly ? ds::KernelOutput::Assembly
                             : ds::KernelOutput::Binary,
      bytes);
  if (status != ds::CompileStatus::Success)
    return exitCodeOf(status);
  return writeOutput([&](llvm::raw_ostream &os) { os << bytes; });
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "ds translation driver\n");
  if (!targetOpt.empty()) {
    if (translation != Translation::None) {
      llvm::errs() << "error: --target compiles a model; it does not combine "
                      "with --import-onnx\n";
      return kError;
    }
    return compile();
  }
  if (!shardOpt.empty() || !topologyOpt.empty() || topologyReportOpt) {
    llvm::errs() << "error: --shard, --topology and --ds-topology-report "
                    "apply when compiling (--target=cpu)\n";
    return kError;
  }
  if (translation == Translation::None) {
    llvm::errs() << "error: no translation given (try --import-onnx or "
                    "--target=cpu|cuda|rocm)\n";
    return kError;
  }

  DialectRegistry registry;
  registry.insert<func::FuncDialect>();
  ds::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  OwningOpRef<ModuleOp> module;
  if (int code = importONNX(context, module))
    return code;

  return writeOutput([&](llvm::raw_ostream &os) {
    module->print(os);
    os << "\n";
  });
}
