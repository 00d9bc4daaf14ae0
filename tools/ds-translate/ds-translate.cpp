//===- ds-translate.cpp - translate models into ds IR ---------------------===//
//
// `ds-translate --import-onnx model.onnx [-o out.mlir]` prints the dsg module
// of an ONNX model ("-" reads the model from stdin). Exit codes: 0 success,
// 3 the model uses something ds does not support, 1 any other error. Output
// is written only on success.
//
//===----------------------------------------------------------------------===//
#include "ds/Import/ONNX.h"
#include "ds/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
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

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "ds translation driver\n");
  if (translation == Translation::None) {
    llvm::errs() << "error: no translation given (try --import-onnx)\n";
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

  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "error: " << error << "\n";
    return kError;
  }
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return kSuccess;
}
