//===- KernelImage.cpp - kernel binaries out of gpu.binary, ptxas, lld ---===//
#include "ds/Target/GPU/GPUTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

#ifndef DS_CUDA_TOOLKIT_PATH
#define DS_CUDA_TOOLKIT_PATH ""
#endif
#ifndef DS_LLVM_TOOLS_DIR
#define DS_LLVM_TOOLS_DIR ""
#endif

FailureOr<ds::KernelImage> ds::extractKernelImage(ModuleOp module) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1) {
    emitError(module.getLoc())
        << "expected one gpu.binary holding the model's kernels, found "
        << binaries.size()
        << (binaries.empty() ? " (the model has no device code)" : "");
    return failure();
  }
  gpu::BinaryOp binary = binaries.front();
  if (binary.getObjects().size() != 1) {
    binary.emitError() << "expected one object (one target), found "
                       << binary.getObjects().size();
    return failure();
  }
  auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
  KernelImage image;
  image.bytes = object.getObject().getValue().str();
  switch (object.getFormat()) {
  case gpu::CompilationTarget::Assembly:
    image.format = KernelFormat::Assembly;
    break;
  case gpu::CompilationTarget::Binary:
    image.format = KernelFormat::Binary;
    break;
  case gpu::CompilationTarget::Fatbin:
    image.format = KernelFormat::Fatbin;
    break;
  case gpu::CompilationTarget::Offload:
    binary.emitError() << "expected device code, found an LLVM offload object";
    return failure();
  }
  llvm::StringSet<> seen;
  module.walk([&](gpu::LaunchFuncOp launch) {
    StringRef name = launch.getKernelName().getValue();
    if (seen.insert(name).second)
      image.kernels.push_back(name.str());
  });
  return image;
}

namespace {
/// A temporary file removed on destruction.
struct TempFile {
  SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  LogicalResult create(Location loc, StringRef suffix) {
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("ds-gpu", suffix, path)) {
      emitError(loc) << "cannot create a temporary file: " << ec.message();
      path.clear();
      return failure();
    }
    return success();
  }
};

LogicalResult writeFile(Location loc, StringRef path, StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec) {
    os << bytes;
    os.close();
    ec = os.error();
  }
  if (ec)
    return emitError(loc) << "cannot write '" << path << "': " << ec.message();
  return success();
}

FailureOr<std::string> readFile(Location loc, StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    emitError(loc) << "cannot read '" << path
                   << "': " << buffer.getError().message();
    return failure();
  }
  return (*buffer)->getBuffer().str();
}

/// Runs `program` with `args`; on failure reports its stderr at `loc`.
LogicalResult runTool(Location loc, StringRef program,
                      ArrayRef<StringRef> args) {
  TempFile log;
  if (failed(log.create(loc, "log")))
    return failure();
  SmallVector<StringRef> argv = {program};
  argv.append(args.begin(), args.end());
  std::optional<StringRef> redirects[] = {std::nullopt, log.path.str(),
                                          log.path.str()};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc == 0)
    return success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log.path))
    output = (*buffer)->getBuffer().trim().str();
  InFlightDiagnostic diag = emitError(loc)
                            << llvm::sys::path::filename(program) << " failed";
  if (!message.empty())
    diag << " (" << message << ")";
  if (!output.empty())
    diag << ":\n" << output;
  return failure();
}

/// Looks for `name` in `dirs` (in order), then on PATH.
std::optional<std::string> findTool(StringRef name,
                                    ArrayRef<std::string> dirs) {
  for (const std::string &dir : dirs) {
    if (dir.empty())
      continue;
    SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
  }
  if (auto onPath = llvm::sys::findProgramByName(name))
    return *onPath;
  return std::nullopt;
}
} // namespace

FailureOr<std::string> ds::assembleCubin(Location loc, StringRef ptx,
                                         StringRef chip,
                                         StringRef toolkitPath) {
  std::string fromOption =
      toolkitPath.empty() ? "" : (toolkitPath + "/bin").str();
  std::string fromConfig = std::string(DS_CUDA_TOOLKIT_PATH).empty()
                               ? ""
                               : std::string(DS_CUDA_TOOLKIT_PATH) + "/bin";
  std::optional<std::string> ptxas =
      findTool("ptxas", {fromOption, fromConfig});
  if (!ptxas) {
    emitError(loc) << "cannot assemble a cubin: ptxas not found (looked in "
                   << (fromOption.empty() ? "" : fromOption + ", ")
                   << (fromConfig.empty() ? "" : fromConfig + ", ")
                   << "and on PATH); install the CUDA toolkit or emit PTX";
    return failure();
  }
  TempFile in, out;
  if (failed(in.create(loc, "ptx")) || failed(out.create(loc, "cubin")) ||
      failed(writeFile(loc, in.path, ptx)))
    return failure();
  std::string arch = ("-arch=" + chip).str();
  if (failed(runTool(loc, *ptxas,
                     {arch, "-O3", in.path.str(), "-o", out.path.str()})))
    return failure();
  return readFile(loc, out.path);
}

FailureOr<std::string> ds::assembleHSACO(Location loc, StringRef isa,
                                         StringRef chip) {
  std::optional<std::string> mc = findTool("llvm-mc", {DS_LLVM_TOOLS_DIR});
  std::optional<std::string> lld = findTool("ld.lld", {DS_LLVM_TOOLS_DIR});
  if (!mc || !lld) {
    emitError(loc) << "cannot link an HSACO: " << (mc ? "ld.lld" : "llvm-mc")
                   << " not found in '" << DS_LLVM_TOOLS_DIR
                   << "' or on PATH";
    return failure();
  }
  TempFile in, obj, out;
  if (failed(in.create(loc, "s")) || failed(obj.create(loc, "o")) ||
      failed(out.create(loc, "hsaco")) || failed(writeFile(loc, in.path, isa)))
    return failure();
  std::string mcpu = ("-mcpu=" + chip).str();
  if (failed(runTool(loc, *mc,
                     {"-triple=amdgcn-amd-amdhsa", mcpu, "-filetype=obj",
                      in.path.str(), "-o", obj.path.str()})) ||
      failed(runTool(loc, *lld,
                     {"-flavor", "gnu", "-shared", obj.path.str(), "-o",
                      out.path.str()})))
    return failure();
  return readFile(loc, out.path);
}
