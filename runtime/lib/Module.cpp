//===- Module.cpp - Load and run compiled artifacts ----------------------===//
//
// An artifact is a shared library that exports `ds_metadata` and `ds_entry`
// (docs/artifact-abi.md). Loading resolves both and parses the metadata once;
// running checks the caller's tensors against it and then builds the MLIR
// memref descriptors that `ds_entry` expects.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "gpu/GPUError.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <cstring>
#include <memory>

using dsrt::setError;

struct dsrt_module {
  void *handle = nullptr;
  /// `void ds_entry(void **)` in version 1 artifacts, `int32_t ds_entry(void
  /// **)` from version 2 on; called through the type of its version.
  void *entry = nullptr;
  dsrt::ModuleSpec spec;
  std::string path;
  /// The memory file of an artifact loaded from memory. It stays open while
  /// the library is loaded: the loader matches "/proc/self/fd/N" by name, so
  /// reusing N for another artifact while this one is loaded would return it.
  int memoryFd = -1;

  ~dsrt_module() {
    // Packed copies of this module's constants are keyed by address, which
    // the next library loaded may reuse.
    dsrt::clearPackedConstants();
    dsrt::clearQuantizedPackedWeights();
    // Buffers kept for this module's next run.
    dsrt::releaseCachedBuffers();
    if (handle)
      dlclose(handle);
    if (memoryFd >= 0)
      close(memoryFd);
  }
};

namespace {

std::string shapeToString(const int64_t *shape, size_t rank) {
  std::string result = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      result += ", ";
    result += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return result + "]";
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  return shapeToString(shape.data(), shape.size());
}

dsrt_status fillInfo(const dsrt_module *module, int32_t index,
                     dsrt_tensor_info *info, bool isInput) {
  if (!module || !info)
    return setError(DSRT_INVALID_ARGUMENT, "null module or info pointer");
  const auto &specs = isInput ? module->spec.inputs : module->spec.outputs;
  if (index < 0 || static_cast<size_t>(index) >= specs.size())
    return setError(DSRT_INVALID_ARGUMENT,
                    std::string(isInput ? "input" : "output") + " index " +
                        std::to_string(index) + " out of range (module has " +
                        std::to_string(specs.size()) + ")");
  const dsrt::TensorSpec &spec = specs[index];
  info->name = spec.name.c_str();
  info->dtype = spec.dtype;
  info->rank = static_cast<int32_t>(spec.shape.size());
  info->shape = spec.shape.data();
  return DSRT_OK;
}

/// Checks one caller tensor against its metadata entry.
dsrt_status checkTensor(const dsrt_tensor &tensor,
                        const dsrt::TensorSpec &spec, const char *kind) {
  std::string label = std::string(kind) + " '" + spec.name + "'";
  if (tensor.dtype != spec.dtype)
    return setError(DSRT_INVALID_ARGUMENT,
                    label + ": expected dtype " + dsrt_dtype_name(spec.dtype) +
                        ", found " + dsrt_dtype_name(tensor.dtype));
  if (tensor.rank < 0 || static_cast<size_t>(tensor.rank) != spec.shape.size())
    return setError(DSRT_INVALID_ARGUMENT,
                    label + ": expected rank " +
                        std::to_string(spec.shape.size()) + ", found " +
                        std::to_string(tensor.rank));
  if (tensor.rank > 0 && !tensor.shape)
    return setError(DSRT_INVALID_ARGUMENT, label + ": null shape pointer");
  bool empty = false;
  for (int32_t i = 0; i < tensor.rank; ++i) {
    int64_t found = tensor.shape[i];
    int64_t expected = spec.shape[i];
    if (found < 0 || (expected >= 0 && found != expected))
      return setError(
          DSRT_INVALID_ARGUMENT,
          label + ": expected shape " + shapeToString(spec.shape) +
              ", found " + shapeToString(tensor.shape, tensor.rank) +
              " (dimension " + std::to_string(i) + " differs)");
    empty |= found == 0;
  }
  if (!tensor.data && !empty)
    return setError(DSRT_INVALID_ARGUMENT, label + ": null data pointer");
  return DSRT_OK;
}

/// Appends the ranked memref descriptor of a dense row-major tensor:
/// {allocated, aligned, offset, sizes[rank], strides[rank]}, all 8 bytes.
void appendDescriptor(const dsrt_tensor &tensor, std::vector<uint64_t> &words) {
  static_assert(sizeof(void *) == sizeof(uint64_t), "64-bit hosts only");
  uint64_t ptr;
  std::memcpy(&ptr, &tensor.data, sizeof(ptr));
  words.push_back(ptr); // allocated
  words.push_back(ptr); // aligned
  words.push_back(0);   // offset
  for (int32_t i = 0; i < tensor.rank; ++i)
    words.push_back(static_cast<uint64_t>(tensor.shape[i]));
  size_t stridesBegin = words.size();
  words.resize(words.size() + tensor.rank);
  int64_t stride = 1;
  for (int32_t i = tensor.rank - 1; i >= 0; --i) {
    words[stridesBegin + i] = static_cast<uint64_t>(stride);
    stride *= tensor.shape[i];
  }
}
} // namespace

namespace {
/// Loads the artifact at `path`; messages name it `label`.
dsrt_status loadArtifact(const char *path, const std::string &label,
                         dsrt_module **out) {
  // RTLD_NOW surfaces unresolved symbols here, with the loader's message,
  // rather than as a crash in the middle of a run.
  // A GPU artifact loads its kernels from a constructor run by dlopen;
  // failures there (no driver, wrong chip) are pending afterwards.
  dsrt::gpu::clearPendingError();
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (std::string gpuError; dsrt::gpu::takePendingError(gpuError)) {
    if (handle)
      dlclose(handle);
    return setError(DSRT_DEVICE_ERROR,
                    "cannot load artifact '" + label + "': " + gpuError);
  }
  if (!handle) {
    const char *reason = dlerror();
    return setError(DSRT_IO_ERROR, "cannot load artifact '" + label + "': " +
                                       (reason ? reason : "unknown error"));
  }
  auto module = std::make_unique<dsrt_module>();
  module->handle = handle;
  module->path = label;

  const char *metadata =
      static_cast<const char *>(dlsym(handle, "ds_metadata"));
  if (!metadata)
    return setError(DSRT_BAD_ARTIFACT, "artifact '" + label +
                                           "' does not export ds_metadata");
  void *entry = dlsym(handle, "ds_entry");
  if (!entry)
    return setError(DSRT_BAD_ARTIFACT, "artifact '" + label +
                                           "' does not export ds_entry");
  module->entry = entry;

  std::string error;
  if (!dsrt::parseMetadata(metadata, module->spec, error))
    return setError(DSRT_BAD_ARTIFACT,
                    "artifact '" + label + "': " + error);

  *out = module.release();
  return DSRT_OK;
}

} // namespace

DSRT_EXPORT dsrt_status dsrt_module_load(const char *path, dsrt_module **out) {
  if (!path || !out)
    return setError(DSRT_INVALID_ARGUMENT, "null path or output handle");
  *out = nullptr;
  return loadArtifact(path, path, out);
}

DSRT_EXPORT dsrt_status dsrt_module_load_memory(const void *data, size_t size,
                                                dsrt_module **out) {
  if (!data || !out)
    return setError(DSRT_INVALID_ARGUMENT, "null data or output handle");
  *out = nullptr;
  // The loader needs a file: an anonymous memory file where the kernel has
  // them, else a temporary file that is unlinked once loaded.
  std::string path;
  int fd = memfd_create("ds-artifact", MFD_CLOEXEC);
  bool temp = false;
  if (fd < 0) {
    const char *dir = getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") +
                       "/ds-artifact-XXXXXX";
    fd = mkstemp(tmpl.data());
    if (fd < 0)
      return setError(DSRT_IO_ERROR,
                      std::string("cannot create a file for the artifact: ") +
                          strerror(errno));
    path = tmpl;
    temp = true;
  } else {
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  const char *p = static_cast<const char *>(data);
  size_t left = size;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      if (temp)
        unlink(path.c_str());
      return setError(DSRT_IO_ERROR,
                      std::string("cannot write the artifact: ") +
                          strerror(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  dsrt_status status = loadArtifact(path.c_str(), "<memory>", out);
  if (temp) {
    unlink(path.c_str());
    close(fd);
  } else if (status == DSRT_OK) {
    (*out)->memoryFd = fd;
  } else {
    close(fd);
  }
  return status;
}

DSRT_EXPORT void dsrt_module_free(dsrt_module *module) { delete module; }

DSRT_EXPORT int32_t dsrt_module_num_inputs(const dsrt_module *module) {
  if (!module) {
    setError(DSRT_INVALID_ARGUMENT, "null module");
    return -1;
  }
  return static_cast<int32_t>(module->spec.inputs.size());
}

DSRT_EXPORT int32_t dsrt_module_num_outputs(const dsrt_module *module) {
  if (!module) {
    setError(DSRT_INVALID_ARGUMENT, "null module");
    return -1;
  }
  return static_cast<int32_t>(module->spec.outputs.size());
}

DSRT_EXPORT dsrt_status dsrt_module_input_info(const dsrt_module *module,
                                               int32_t index,
                                               dsrt_tensor_info *info) {
  return fillInfo(module, index, info, /*isInput=*/true);
}

DSRT_EXPORT dsrt_status dsrt_module_output_info(const dsrt_module *module,
                                                int32_t index,
                                                dsrt_tensor_info *info) {
  return fillInfo(module, index, info, /*isInput=*/false);
}

namespace {
/// Checks the counts and the input tensors of a run.
dsrt_status checkRunArguments(const dsrt_module *module,
                              const dsrt_tensor *inputs, int32_t numInputs,
                              const dsrt_tensor *outputs, int32_t numOutputs) {
  if (!module)
    return setError(DSRT_INVALID_ARGUMENT, "null module");
  const dsrt::ModuleSpec &spec = module->spec;
  if (numInputs < 0 || static_cast<size_t>(numInputs) != spec.inputs.size())
    return setError(DSRT_INVALID_ARGUMENT,
                    "expected " + std::to_string(spec.inputs.size()) +
                        " inputs, found " + std::to_string(numInputs));
  if (numOutputs < 0 || static_cast<size_t>(numOutputs) != spec.outputs.size())
    return setError(DSRT_INVALID_ARGUMENT,
                    "expected " + std::to_string(spec.outputs.size()) +
                        " outputs, found " + std::to_string(numOutputs));
  if ((numInputs && !inputs) || (numOutputs && !outputs))
    return setError(DSRT_INVALID_ARGUMENT, "null inputs or outputs array");
  for (int32_t i = 0; i < numInputs; ++i)
    if (dsrt_status status = checkTensor(inputs[i], spec.inputs[i], "input"))
      return status;
  return DSRT_OK;
}

/// Calls ds_entry with the descriptors at `args` and maps its status.
///
/// Not checked by UBSan's function-type check (-fsanitize=function, on in the
/// sanitizer build): that check reads the 8 bytes before the callee, where
/// instrumented code keeps a type signature. ds_entry is generated code with
/// no signature, and when it is the first function of the artifact's text
/// segment, ld.lld leaves an unmapped page right before it, so the check's
/// read faulted (ds-opt's calibration runner, docs/reliability.md). Without a
/// signature the check could never fire anyway.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
dsrt_status callEntry(dsrt_module *module, std::vector<void *> &args) {
  dsrt::gpu::clearPendingError();
  if (module->spec.version < 2) {
    reinterpret_cast<void (*)(void **)>(module->entry)(args.data());
  } else {
    // A failing collective records its message as this thread's last error
    // before the artifact returns its status: keep that message.
    std::string collectiveError = dsrt_last_error();
    int32_t status =
        reinterpret_cast<int32_t (*)(void **)>(module->entry)(args.data());
    if (status == -1)
      return setError(DSRT_INTERNAL,
                      "the model was partitioned for " +
                          std::to_string(module->spec.ranks) +
                          " ranks but runs in a world of another size; start "
                          "it with that many ranks (e.g. mpirun -np " +
                          std::to_string(module->spec.ranks) + ")");
    if (status != 0) {
      std::string message = dsrt_last_error();
      if (message == collectiveError)
        message.clear(); // stale: the collective did not record a message
      return setError(DSRT_INTERNAL,
                      "a collective failed while running the model (status " +
                          std::to_string(status) + ")" +
                          (message.empty() ? "" : ": " + message));
    }
  }
  if (std::string gpuError; dsrt::gpu::takePendingError(gpuError))
    return setError(DSRT_DEVICE_ERROR, "run of '" + module->path +
                                           "' failed on the GPU: " + gpuError);
  return DSRT_OK;
}

/// One output that a version 3 artifact allocated: its descriptor words.
struct CalleeOutput {
  const uint64_t *words;
  int32_t rank;
  void *allocated() const { return reinterpret_cast<void *>(words[0]); }
  char *aligned() const { return reinterpret_cast<char *>(words[1]); }
  int64_t offset() const { return static_cast<int64_t>(words[2]); }
  int64_t size(int32_t d) const { return static_cast<int64_t>(words[3 + d]); }
  int64_t stride(int32_t d) const {
    return static_cast<int64_t>(words[3 + rank + d]);
  }
};

/// Checks that a callee-allocated output is a dense row-major buffer of
/// non-negative sizes; returns the element count through `count`.
dsrt_status checkCalleeOutput(const CalleeOutput &out,
                              const dsrt::TensorSpec &spec, int64_t &count) {
  count = 1;
  for (int32_t d = out.rank - 1; d >= 0; --d) {
    int64_t size = out.size(d);
    if (size < 0 || (spec.shape[d] >= 0 && size != spec.shape[d]))
      return setError(DSRT_INTERNAL, "output '" + spec.name +
                                         "': the artifact returned size " +
                                         std::to_string(size) +
                                         " for dimension " +
                                         std::to_string(d));
    if (size > 1 && out.stride(d) != count)
      return setError(DSRT_INTERNAL,
                      "output '" + spec.name +
                          "': the artifact returned a buffer that is not "
                          "dense row-major");
    count *= size;
  }
  if (out.offset() < 0 || (count > 0 && !out.aligned()))
    return setError(DSRT_INTERNAL, "output '" + spec.name +
                                       "': the artifact returned a null or "
                                       "offset-negative buffer");
  return DSRT_OK;
}

/// Releases a buffer that compiled code allocated: artifacts allocate through
/// libdsrt's counting allocator (runtime/lib/Memory.cpp; the CPU pipeline
/// lowers memref.alloc with MLIR's generic `_mlir_memref_to_llvm_*`
/// functions), whose blocks carry a header, so plain free() would corrupt
/// the heap.
void freeCalleeBuffer(void *allocated) { _mlir_memref_to_llvm_free(allocated); }

/// A runtime-allocated output: the header in front of its shape array.
/// dsrt_tensor_free finds it from `tensor.shape`.
struct OwnedHeader {
  static constexpr uint64_t kMagic = 0x647372746f776e64; // "dsrtownd"
  uint64_t magic;
  void *allocated; ///< released with `release`
  /// std::free for buffers the runtime allocated; the compiled code's
  /// deallocation function for buffers a version 3 artifact allocated.
  void (*release)(void *);
};

/// Lays out the input descriptors (and, for caller-allocated outputs, the
/// output descriptors) in `words`; for a version 3 artifact, reserves one
/// descriptor per output for ds_entry to fill. `args` points into `words`.
void buildArgs(const dsrt_module *module, const dsrt_tensor *inputs,
               int32_t numInputs, const dsrt_tensor *outputs,
               int32_t numOutputs, std::vector<uint64_t> &words,
               std::vector<void *> &args) {
  // Lay all descriptors out in one buffer first, then take pointers: the
  // buffer must not grow once `args` points into it.
  std::vector<size_t> offsets;
  offsets.reserve(numInputs + numOutputs);
  for (int32_t i = 0; i < numInputs; ++i) {
    offsets.push_back(words.size());
    appendDescriptor(inputs[i], words);
  }
  for (int32_t i = 0; i < numOutputs; ++i) {
    offsets.push_back(words.size());
    if (module->spec.version >= 3)
      words.resize(words.size() + 3 + 2 * module->spec.outputs[i].shape.size());
    else
      appendDescriptor(outputs[i], words);
  }
  args.reserve(offsets.size());
  for (size_t offset : offsets)
    args.push_back(&words[offset]);
}
} // namespace

DSRT_EXPORT dsrt_status dsrt_module_run(dsrt_module *module,
                                        const dsrt_tensor *inputs,
                                        int32_t numInputs,
                                        dsrt_tensor *outputs,
                                        int32_t numOutputs) {
  if (dsrt_status status =
          checkRunArguments(module, inputs, numInputs, outputs, numOutputs))
    return status;
  const dsrt::ModuleSpec &spec = module->spec;
  for (int32_t i = 0; i < numOutputs; ++i)
    if (dsrt_status status =
            checkTensor(outputs[i], spec.outputs[i], "output"))
      return status;

  std::vector<uint64_t> words;
  std::vector<void *> args;
  buildArgs(module, inputs, numInputs, outputs, numOutputs, words, args);
  dsrt_status status = callEntry(module, args);
  if (spec.version < 3)
    return status;

  // Version 3: copy each output the artifact allocated into the caller's
  // buffer, whose shape must be the one the run produced; free them all.
  for (int32_t i = 0; i < numOutputs; ++i) {
    CalleeOutput out{static_cast<const uint64_t *>(args[numInputs + i]),
                     outputs[i].rank};
    int64_t count = 0;
    if (status == DSRT_OK)
      status = checkCalleeOutput(out, spec.outputs[i], count);
    if (status == DSRT_OK)
      for (int32_t d = 0; d < out.rank; ++d)
        if (out.size(d) != outputs[i].shape[d]) {
          std::vector<int64_t> produced;
          for (int32_t e = 0; e < out.rank; ++e)
            produced.push_back(out.size(e));
          status = setError(
              DSRT_INVALID_ARGUMENT,
              "output '" + spec.outputs[i].name + "': the run produced shape " +
                  shapeToString(produced) + ", the caller's buffer has " +
                  shapeToString(outputs[i].shape, outputs[i].rank) +
                  "; use dsrt_module_run_alloc for outputs whose shape is "
                  "known only at run time");
          break;
        }
    if (status == DSRT_OK && count > 0)
      std::memcpy(outputs[i].data,
                  out.aligned() + out.offset() * dsrt_dtype_size(outputs[i].dtype),
                  static_cast<size_t>(count) * dsrt_dtype_size(outputs[i].dtype));
    // On a failed run the descriptors may be unwritten (all zero): freeing
    // NULL is a no-op.
    freeCalleeBuffer(out.allocated());
  }
  return status;
}

DSRT_EXPORT dsrt_status dsrt_module_run_alloc(dsrt_module *module,
                                              const dsrt_tensor *inputs,
                                              int32_t numInputs,
                                              dsrt_tensor *outputs,
                                              int32_t numOutputs) {
  if (dsrt_status status =
          checkRunArguments(module, inputs, numInputs, outputs, numOutputs))
    return status;
  const dsrt::ModuleSpec &spec = module->spec;
  for (int32_t i = 0; i < numOutputs; ++i)
    outputs[i] = dsrt_tensor{nullptr, spec.outputs[i].dtype,
                             static_cast<int32_t>(spec.outputs[i].shape.size()),
                             nullptr};

  // Each output's header and shape array, allocated up front so that a
  // failed allocation leaves nothing to clean up in the artifact's buffers.
  std::vector<OwnedHeader *> headers(numOutputs, nullptr);
  auto releaseHeaders = [&] {
    for (OwnedHeader *header : headers)
      std::free(header);
  };
  for (int32_t i = 0; i < numOutputs; ++i) {
    size_t rank = spec.outputs[i].shape.size();
    headers[i] = static_cast<OwnedHeader *>(
        std::malloc(sizeof(OwnedHeader) + rank * sizeof(int64_t)));
    if (!headers[i]) {
      releaseHeaders();
      return setError(DSRT_INTERNAL, "out of memory");
    }
    *headers[i] = OwnedHeader{OwnedHeader::kMagic, nullptr, std::free};
  }
  auto shapeOf = [&](int32_t i) {
    return reinterpret_cast<int64_t *>(headers[i] + 1);
  };

  std::vector<uint64_t> words;
  std::vector<void *> args;
  if (spec.version < 3) {
    // Caller-allocated artifact: allocate the static outputs here.
    std::vector<dsrt_tensor> buffers(numOutputs);
    for (int32_t i = 0; i < numOutputs; ++i) {
      const std::vector<int64_t> &shape = spec.outputs[i].shape;
      size_t bytes = dsrt_dtype_size(spec.outputs[i].dtype);
      for (size_t d = 0; d < shape.size(); ++d) {
        shapeOf(i)[d] = shape[d];
        bytes *= static_cast<size_t>(shape[d]);
      }
      headers[i]->allocated = std::malloc(bytes ? bytes : 1);
      if (!headers[i]->allocated) {
        for (OwnedHeader *header : headers)
          if (header)
            std::free(header->allocated);
        releaseHeaders();
        return setError(DSRT_INTERNAL, "out of memory");
      }
      buffers[i] = dsrt_tensor{headers[i]->allocated, spec.outputs[i].dtype,
                               static_cast<int32_t>(shape.size()), shapeOf(i)};
    }
    buildArgs(module, inputs, numInputs, buffers.data(), numOutputs, words,
              args);
    dsrt_status status = callEntry(module, args);
    if (status != DSRT_OK) {
      for (OwnedHeader *header : headers)
        std::free(header->allocated);
      releaseHeaders();
      return status;
    }
    for (int32_t i = 0; i < numOutputs; ++i)
      outputs[i] = buffers[i];
    return DSRT_OK;
  }

  buildArgs(module, inputs, numInputs, nullptr, numOutputs, words, args);
  dsrt_status status = callEntry(module, args);
  std::vector<int64_t> counts(numOutputs, 0);
  for (int32_t i = 0; i < numOutputs && status == DSRT_OK; ++i) {
    CalleeOutput out{static_cast<const uint64_t *>(args[numInputs + i]),
                     static_cast<int32_t>(spec.outputs[i].shape.size())};
    status = checkCalleeOutput(out, spec.outputs[i], counts[i]);
  }
  for (int32_t i = 0; i < numOutputs; ++i) {
    CalleeOutput out{static_cast<const uint64_t *>(args[numInputs + i]),
                     static_cast<int32_t>(spec.outputs[i].shape.size())};
    if (status != DSRT_OK) {
      freeCalleeBuffer(out.allocated());
      continue;
    }
    headers[i]->allocated = out.allocated();
    headers[i]->release = freeCalleeBuffer;
    for (int32_t d = 0; d < out.rank; ++d)
      shapeOf(i)[d] = out.size(d);
    outputs[i].data =
        out.aligned() + out.offset() * dsrt_dtype_size(spec.outputs[i].dtype);
    outputs[i].shape = shapeOf(i);
  }
  if (status != DSRT_OK)
    releaseHeaders();
  return status;
}

DSRT_EXPORT void dsrt_tensor_free(dsrt_tensor *tensor) {
  if (!tensor || !tensor->shape)
    return;
  auto *header = reinterpret_cast<OwnedHeader *>(
                     const_cast<int64_t *>(tensor->shape)) -
                 1;
  if (header->magic != OwnedHeader::kMagic)
    return; // a guard only: other tensors are undefined behavior (dsrt.h)
  header->magic = 0;
  header->release(header->allocated);
  std::free(header);
  tensor->data = nullptr;
  tensor->shape = nullptr;
}
