//===- Compiler.cpp - The ds embedding API (C++) -------------------------===//
//
// ds::Compiler over the internal compile API (ds/Compiler/Compiler.h):
// captures diagnostics as values, compiles into a temporary folder and hands
// back the artifact's bytes (or leaves it at the caller's path).
//
//===----------------------------------------------------------------------===//
#include "ds/ds.h"

#include "ds/Compiler/Compiler.h"
#include "ds/Import/ONNX.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

#ifndef DS_VERSION_STRING
#define DS_VERSION_STRING "0.0.0"
#endif

namespace {

using mlir::Location;

/// "file:line:col", with "'name'" for named locations (ONNX node and tensor
/// names): e.g. "model.onnx: 'conv1'". Line 0 (binary files) is omitted.
void formatLocation(Location loc, llvm::raw_ostream &os) {
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    if (file.getLine() != 0)
      os << ':' << file.getLine() << ':' << file.getColumn();
  } else if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc)) {
    std::string child;
    llvm::raw_string_ostream cos(child);
    formatLocation(name.getChildLoc(), cos);
    if (!child.empty())
      os << child << ": ";
    os << "'" << name.getName().getValue() << "'";
  } else if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc)) {
    if (!fused.getLocations().empty())
      formatLocation(fused.getLocations().front(), os);
  } else if (auto callSite = llvm::dyn_cast<mlir::CallSiteLoc>(loc)) {
    formatLocation(callSite.getCallee(), os);
  }
}

ds::Severity convertSeverity(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return ds::Severity::Error;
  case mlir::DiagnosticSeverity::Warning:
    return ds::Severity::Warning;
  case mlir::DiagnosticSeverity::Note:
    return ds::Severity::Note;
  case mlir::DiagnosticSeverity::Remark:
    return ds::Severity::Remark;
  }
  return ds::Severity::Error;
}

ds::Diagnostic convertDiagnostic(mlir::Diagnostic &diag) {
  ds::Diagnostic d;
  d.severity = convertSeverity(diag.getSeverity());
  llvm::raw_string_ostream os(d.location);
  formatLocation(diag.getLocation(), os);
  d.message = diag.str();
  return d;
}

ds::Status convertStatus(mlir::ds::CompileStatus status) {
  switch (status) {
  case mlir::ds::CompileStatus::Success:
    return ds::Status::Ok;
  case mlir::ds::CompileStatus::Unsupported:
    return ds::Status::Unsupported;
  case mlir::ds::CompileStatus::Invalid:
    return ds::Status::Invalid;
  case mlir::ds::CompileStatus::Failure:
    return ds::Status::Failure;
  }
  return ds::Status::Failure;
}

ds::CompileResult fail(ds::Status status, std::string message) {
  ds::CompileResult r;
  r.status = status;
  r.diagnostics.push_back({ds::Severity::Error, "", std::move(message)});
  return r;
}

enum class SourceKind { File, ONNX, MLIR };

} // namespace

const char *ds::version() { return DS_VERSION_STRING; }

const char *ds::toString(Severity severity) {
  switch (severity) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  case Severity::Remark:
    return "remark";
  }
  return "error";
}

const char *ds::toString(Status status) {
  switch (status) {
  case Status::Ok:
    return "ok";
  case Status::Unsupported:
    return "unsupported";
  case Status::Invalid:
    return "invalid";
  case Status::Failure:
    return "failure";
  }
  return "failure";
}

std::string ds::CompileResult::message() const {
  if (ok())
    return "";
  for (const Diagnostic &d : diagnostics)
    if (d.severity == Severity::Error)
      return d.location.empty() ? d.message : d.location + ": " + d.message;
  return toString(status);
}

struct ds::Compiler::Impl {
  Impl() : context(makeRegistry()) {}

  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    mlir::ds::registerCompilerDialects(registry);
    return registry;
  }

  CompileResult compile(SourceKind kind, std::string_view source,
                        const std::string &name,
                        const CompileOptions &options);

  mlir::MLIRContext context;
};

ds::CompileResult ds::Compiler::Impl::compile(SourceKind kind,
                                              std::string_view source,
                                              const std::string &name,
                                              const CompileOptions &options) {
  std::optional<mlir::ds::TargetKind> targetKind =
      mlir::ds::parseTargetKind(options.target);
  if (!targetKind)
    return fail(Status::Unsupported,
                "unsupported target '" + options.target +
                    "' (ds compiles for cpu, cuda and rocm)");
  if (*targetKind == mlir::ds::TargetKind::CPU && !options.chip.empty())
    return fail(Status::Invalid, "a chip ('" + options.chip +
                                     "') applies only to cuda and rocm");
  if (options.optLevel > 3)
    return fail(Status::Invalid, "invalid optimization level " +
                                     std::to_string(options.optLevel) +
                                     " (expected 0-3)");
  if (options.entry.empty())
    return fail(Status::Invalid, "empty entry function name");

  CompileResult result;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    result.diagnostics.push_back(convertDiagnostic(diag));
    for (mlir::Diagnostic &note : diag.getNotes())
      result.diagnostics.push_back(convertDiagnostic(note));
    return mlir::success();
  });

  // Timing: one scope per stage, with the pass managers' passes nested.
  std::optional<mlir::DefaultTimingManager> timing;
  std::optional<mlir::TimingScope> root, stageScope;
  llvm::raw_string_ostream timingStream(result.timing);
  if (options.timing) {
    timing.emplace();
    timing->setEnabled(true);
    timing->setOutput(mlir::createOutputStrategy(
        mlir::DefaultTimingManager::OutputFormat::Text, timingStream));
    root.emplace(timing->getRootScope());
  }
  auto beginStage = [&](llvm::StringRef stage) {
    if (root) {
      stageScope.reset();
      stageScope.emplace(root->nest(stage.str()));
    }
    if (options.progress)
      options.progress(stage.str());
  };

  mlir::ds::CompileOptions internal;
  internal.target.entryName = options.entry;
  internal.target.optLevel = options.optLevel;
  internal.target.cpu = options.cpu;
  internal.target.features = options.features;
  internal.fuseAttention = options.fuseAttention;
  internal.targetKind = *targetKind;
  internal.chip = options.chip;
  internal.quantize = options.quantize;
  internal.beforeStage = beginStage;
  if (root)
    internal.configurePassManager = [&](mlir::PassManager &pm) {
      pm.enableTiming(stageScope ? *stageScope : *root);
      return mlir::success();
    };

  auto finish = [&](mlir::ds::CompileStatus status) {
    result.status = convertStatus(status);
    if (root) {
      stageScope.reset();
      root->stop();
      root.reset();
      timing->print();
      timing.reset();
    }
    return std::move(result);
  };

  // Load.
  beginStage("import");
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::ds::CompileStatus status = mlir::ds::CompileStatus::Success;
  switch (kind) {
  case SourceKind::File:
    status = mlir::ds::loadModel(name, context, module);
    break;
  case SourceKind::ONNX:
    switch (mlir::ds::importONNXBytes(llvm::StringRef(source.data(),
                                                      source.size()),
                                      name, /*baseDir=*/"", &context, module)) {
    case mlir::ds::ImportResult::Success:
      break;
    case mlir::ds::ImportResult::Unsupported:
      status = mlir::ds::CompileStatus::Unsupported;
      break;
    case mlir::ds::ImportResult::Invalid:
      status = mlir::ds::CompileStatus::Invalid;
      break;
    }
    break;
  case SourceKind::MLIR: {
    mlir::ParserConfig config(&context);
    module = mlir::parseSourceString<mlir::ModuleOp>(
        llvm::StringRef(source.data(), source.size()), config, name);
    if (!module)
      status = mlir::ds::CompileStatus::Invalid;
    break;
  }
  }
  if (status != mlir::ds::CompileStatus::Success)
    return finish(status);

  // Compile, into the caller's path or a temporary folder.
  llvm::SmallString<128> tempDir;
  llvm::scope_exit cleanup([&] {
    if (!tempDir.empty())
      llvm::sys::fs::remove_directories(tempDir);
  });
  std::string artifactPath = options.outputPath;
  if (artifactPath.empty()) {
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("ds-compile", tempDir)) {
      result.diagnostics.push_back(
          {Severity::Error, "",
           "cannot create a temporary directory: " + ec.message()});
      return finish(mlir::ds::CompileStatus::Failure);
    }
    llvm::SmallString<256> path(tempDir);
    llvm::sys::path::append(path, "model.so");
    artifactPath = path.str().str();
  }
  status = mlir::ds::compileModel(*module, internal, artifactPath);
  if (status == mlir::ds::CompileStatus::Success && options.outputPath.empty()) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(artifactPath, /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
    if (!buffer) {
      result.diagnostics.push_back({Severity::Error, artifactPath,
                                    "cannot read the artifact: " +
                                        buffer.getError().message()});
      return finish(mlir::ds::CompileStatus::Failure);
    }
    result.artifact = (*buffer)->getBuffer().str();
  }
  return finish(status);
}

ds::Compiler::Compiler() : impl(std::make_unique<Impl>()) {}
ds::Compiler::~Compiler() = default;
ds::Compiler::Compiler(Compiler &&) noexcept = default;
ds::Compiler &ds::Compiler::operator=(Compiler &&) noexcept = default;

ds::CompileResult ds::Compiler::compileFile(const std::string &path,
                                            const CompileOptions &options) {
  if (!llvm::sys::fs::is_regular_file(path))
    return fail(Status::Invalid,
                "cannot open model '" + path + "': " +
                    (llvm::sys::fs::exists(path) ? "not a regular file"
                                                 : "no such file"));
  return impl->compile(SourceKind::File, {}, path, options);
}

ds::CompileResult ds::Compiler::compileONNX(std::string_view bytes,
                                            const CompileOptions &options,
                                            const std::string &name) {
  return impl->compile(SourceKind::ONNX, bytes, name, options);
}

ds::CompileResult ds::Compiler::compileMLIR(std::string_view text,
                                            const CompileOptions &options,
                                            const std::string &name) {
  return impl->compile(SourceKind::MLIR, text, name, options);
}
