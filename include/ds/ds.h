//===- ds.h - The ds embedding API (C++) ------------------------*- C++ -*-===//
//
// What a framework includes to compile models with ds. The header depends
// only on the C++17 standard library: MLIR and LLVM stay inside
// libdscompiler (CMake target `ds::compiler`).
//
//   ds::Compiler compiler;
//   ds::CompileResult r = compiler.compileONNX(bytes);
//   for (const ds::Diagnostic &d : r.diagnostics)
//     std::cerr << d.location << ": " << ds::toString(d.severity) << ": "
//               << d.message << "\n";
//   if (r.ok())
//     dsrt::Module m = dsrt::Module::loadFromMemory(r.artifact); // dsrt.hpp
//
// Ownership: every result is a plain value owned by the caller; nothing
// returned refers into the Compiler.
//
// Thread safety: a Compiler owns its own MLIR context. Use one Compiler per
// thread; distinct Compilers may compile concurrently on different threads.
// One Compiler must not be used by two threads at the same time.
//
// Errors never abort the process: malformed models, options and I/O
// failures come back as a status plus diagnostics.
//
// Options for quantization, fusion, sharding and topology do not exist yet;
// they are added to CompileOptions with the features themselves.
//
//===----------------------------------------------------------------------===//
#ifndef DS_DS_H
#define DS_DS_H

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GNUC__)
#define DS_API __attribute__((visibility("default")))
#else
#define DS_API
#endif

namespace ds {

/// The library version, "MAJOR.MINOR.PATCH".
DS_API const char *version();

enum class Severity { Error, Warning, Note, Remark };
/// "error", "warning", "note" or "remark".
DS_API const char *toString(Severity severity);

/// One diagnostic of a compilation. `location` is where it applies, e.g.
/// "model.onnx: 'node_name'" for an ONNX node (the node name is the ONNX
/// NodeProto name, or the tensor name for inputs and outputs),
/// "model.mlir:3:7" for MLIR text, or "" when there is no location. Notes
/// attached to a diagnostic follow it as separate Note entries.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string location;
  std::string message;
};

/// The outcome of a compilation.
enum class Status {
  Ok,
  /// Valid input that ds does not handle yet (an op, a dtype, a dynamic
  /// output shape, ...).
  Unsupported,
  /// Malformed input or options: unparsable model, failed verification, no
  /// entry function, bad option values.
  Invalid,
  /// Everything else: code generation, linking, I/O.
  Failure,
};
/// "ok", "unsupported", "invalid" or "failure".
DS_API const char *toString(Status status);

struct CompileOptions {
  /// The back end: "cpu" (the host CPU), "cuda" or "rocm" (an artifact
  /// whose kernels run on the GPU through dsrt; docs/gpu.md). Anything else
  /// fails with Status::Unsupported.
  std::string target = "cpu";
  /// GPU chip for "cuda" (sm_80, sm_90, ...) or "rocm" (gfx90a, gfx942);
  /// empty picks sm_80 / gfx942.
  std::string chip;
  /// The function to compile in MLIR input (ONNX models import as "main").
  std::string entry = "main";
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
  /// LLVM CPU name and feature string; empty means the host's.
  std::string cpu;
  std::string features;
  /// If set, the artifact is written to this path and CompileResult::artifact
  /// stays empty; otherwise the artifact comes back in memory.
  std::string outputPath;
  /// Fuse exported attention subgraphs (MatMul, Softmax, MatMul with their
  /// scale and mask) into one online-softmax kernel (docs/attention.md).
  bool fuseAttention = true;
  /// Quantize before compiling: "int8", "int4" or the options of the
  /// ds-quantize pass (docs/quantization.md); empty keeps the model float.
  std::string quantize;
  /// Collect per-stage and per-pass times into CompileResult::timing.
  bool timing = false;
  /// Called on the compiling thread as each stage starts: "import",
  /// "graph", "linalg", "llvm", "codegen".
  std::function<void(const std::string &stage)> progress;
};

struct DS_API CompileResult {
  Status status = Status::Failure;
  /// Everything the compiler reported, in order (errors, warnings, notes).
  std::vector<Diagnostic> diagnostics;
  /// The artifact (an ELF shared library, docs/artifact-abi.md) when
  /// compiled to memory; load it with dsrt_module_load_memory.
  std::string artifact;
  /// The timing report (text, like -mlir-timing) if CompileOptions::timing.
  std::string timing;

  bool ok() const { return status == Status::Ok; }
  explicit operator bool() const { return ok(); }
  /// One line saying why it failed: "<location>: <message>" of the first
  /// error, or the status name if there is none. "" on success.
  std::string message() const;
};

/// Compiles models. Owns an MLIR context (see the thread-safety note above);
/// movable, not copyable.
class DS_API Compiler {
public:
  Compiler();
  ~Compiler();
  Compiler(Compiler &&) noexcept;
  Compiler &operator=(Compiler &&) noexcept;
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// Compiles the model at `path`: ".onnx" files through the ONNX importer
  /// (external data next to the file), anything else parsed as MLIR.
  CompileResult compileFile(const std::string &path,
                            const CompileOptions &options = {});
  /// Compiles a serialized ONNX ModelProto. `name` stands for the buffer in
  /// diagnostics; external data is not supported from memory.
  CompileResult compileONNX(std::string_view bytes,
                            const CompileOptions &options = {},
                            const std::string &name = "model.onnx");
  /// Compiles MLIR text (a dsg- or linalg-level module). `name` stands for
  /// the buffer in diagnostic locations.
  CompileResult compileMLIR(std::string_view text,
                            const CompileOptions &options = {},
                            const std::string &name = "<mlir>");

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace ds

#endif // DS_DS_H
