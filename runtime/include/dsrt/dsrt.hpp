//===- dsrt.hpp - C++ wrapper of the ds runtime ------------------*- C++ -*-===//
//
// Header-only C++17 convenience over the C API in dsrt.h (CMake target
// `ds::runtime`, no LLVM dependency). Does not throw.
//
//   dsrt::Module m = dsrt::Module::loadFromMemory(result.artifact);
//   if (!m) { std::cerr << m.error() << "\n"; return 1; }
//   std::vector<float> x(6, 1.0f), y(6);
//   dsrt::Status s = m.run({dsrt::tensor(x.data(), DSRT_F32, {2, 3})},
//                          {dsrt::tensor(y.data(), DSRT_F32, {2, 3})});
//
// Ownership: a Module owns its dsrt_module (freed by the destructor); tensor
// buffers stay owned by the caller. Thread safety: a loaded Module is
// immutable; run() may be called from several threads at once, each with
// its own buffers.
//
//===----------------------------------------------------------------------===//
#ifndef DSRT_DSRT_HPP
#define DSRT_DSRT_HPP

#include "dsrt/dsrt.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dsrt {

/// The outcome of a runtime call: a code and, on failure, the message.
struct Status {
  dsrt_status code = DSRT_OK;
  std::string message;
  bool ok() const { return code == DSRT_OK; }
  explicit operator bool() const { return ok(); }
};

/// One input or output of a module; -1 in `shape` is a dimension known only
/// at run time.
struct TensorInfo {
  std::string name;
  dsrt_dtype dtype = DSRT_DTYPE_INVALID;
  std::vector<int64_t> shape;
};

/// A dsrt_tensor over caller memory. `shape` must outlive the tensor's use:
/// keep it in a variable, or use the initializer-list overload only within
/// the full expression of the call.
inline dsrt_tensor tensor(void *data, dsrt_dtype dtype,
                          const std::vector<int64_t> &shape) {
  return dsrt_tensor{data, dtype, static_cast<int32_t>(shape.size()),
                     shape.data()};
}
inline dsrt_tensor tensor(void *data, dsrt_dtype dtype,
                          std::initializer_list<int64_t> shape) {
  return dsrt_tensor{data, dtype, static_cast<int32_t>(shape.size()),
                     shape.begin()};
}

/// An output the runtime allocated (Module::runAlloc): owns its buffer and
/// shape, released by the destructor (dsrt_tensor_free). Movable, not
/// copyable; it may outlive the Module.
class OwnedTensor {
public:
  OwnedTensor() = default;
  explicit OwnedTensor(dsrt_tensor t) : raw(t) {}
  OwnedTensor(OwnedTensor &&other) noexcept : raw(other.raw) {
    other.raw = dsrt_tensor{};
  }
  OwnedTensor &operator=(OwnedTensor &&other) noexcept {
    if (this != &other) {
      dsrt_tensor_free(&raw);
      raw = other.raw;
      other.raw = dsrt_tensor{};
    }
    return *this;
  }
  OwnedTensor(const OwnedTensor &) = delete;
  OwnedTensor &operator=(const OwnedTensor &) = delete;
  ~OwnedTensor() { dsrt_tensor_free(&raw); }

  const void *data() const { return raw.data; }
  dsrt_dtype dtype() const { return raw.dtype; }
  std::vector<int64_t> shape() const {
    return raw.shape ? std::vector<int64_t>(raw.shape, raw.shape + raw.rank)
                     : std::vector<int64_t>();
  }
  /// The C view (valid while this object lives).
  const dsrt_tensor &get() const { return raw; }

private:
  dsrt_tensor raw{};
};

class Module {
public:
  Module() = default;

  /// Loads the artifact at `path` (an absolute or relative file path).
  static Module load(const std::string &path) {
    Module m;
    dsrt_module *raw = nullptr;
    dsrt_status st = dsrt_module_load(path.c_str(), &raw);
    m.finish(st, raw);
    return m;
  }
  /// Loads an artifact held in memory, e.g. ds::CompileResult::artifact.
  static Module loadFromMemory(const void *data, size_t size) {
    Module m;
    dsrt_module *raw = nullptr;
    dsrt_status st = dsrt_module_load_memory(data, size, &raw);
    m.finish(st, raw);
    return m;
  }
  static Module loadFromMemory(std::string_view bytes) {
    return loadFromMemory(bytes.data(), bytes.size());
  }

  /// Whether the module loaded.
  explicit operator bool() const { return handle != nullptr; }
  /// Why loading failed ("" if it did not).
  const std::string &error() const { return loadError; }

  const std::vector<TensorInfo> &inputs() const { return ins; }
  const std::vector<TensorInfo> &outputs() const { return outs; }

  /// Runs on caller-owned buffers, inputs and outputs in declaration order.
  /// Outputs must be allocated with the shapes of outputs() (for -1 sizes,
  /// the shapes the run produces; see runAlloc).
  Status run(const std::vector<dsrt_tensor> &inputs,
             std::vector<dsrt_tensor> outputs) const {
    dsrt_status st = dsrt_module_run(
        handle.get(), inputs.data(), static_cast<int32_t>(inputs.size()),
        outputs.data(), static_cast<int32_t>(outputs.size()));
    if (st != DSRT_OK)
      return {st, dsrt_last_error()};
    return {};
  }

  /// Runs with outputs the runtime allocates (dsrt_module_run_alloc): for
  /// any module, and the way to run one whose output shapes are known only
  /// at run time (-1 in outputs()). Replaces `outputs`.
  Status runAlloc(const std::vector<dsrt_tensor> &inputs,
                  std::vector<OwnedTensor> &outputs) const {
    std::vector<dsrt_tensor> raw(outs.size());
    dsrt_status st = dsrt_module_run_alloc(
        handle.get(), inputs.data(), static_cast<int32_t>(inputs.size()),
        raw.data(), static_cast<int32_t>(raw.size()));
    if (st != DSRT_OK)
      return {st, dsrt_last_error()};
    outputs.clear();
    for (dsrt_tensor &t : raw)
      outputs.emplace_back(t);
    return {};
  }

  /// The C handle, for calls this wrapper does not cover.
  dsrt_module *get() const { return handle.get(); }

private:
  struct Deleter {
    void operator()(dsrt_module *m) const { dsrt_module_free(m); }
  };

  void finish(dsrt_status st, dsrt_module *raw) {
    if (st != DSRT_OK) {
      loadError = dsrt_last_error();
      return;
    }
    handle.reset(raw);
    for (int pass = 0; pass < 2; ++pass) {
      bool isInput = pass == 0;
      int32_t n = isInput ? dsrt_module_num_inputs(raw)
                          : dsrt_module_num_outputs(raw);
      for (int32_t i = 0; i < n; ++i) {
        dsrt_tensor_info info;
        if ((isInput ? dsrt_module_input_info(raw, i, &info)
                     : dsrt_module_output_info(raw, i, &info)) != DSRT_OK)
          continue;
        TensorInfo t;
        t.name = info.name ? info.name : "";
        t.dtype = info.dtype;
        t.shape.assign(info.shape, info.shape + info.rank);
        (isInput ? ins : outs).push_back(std::move(t));
      }
    }
  }

  std::unique_ptr<dsrt_module, Deleter> handle;
  std::string loadError;
  std::vector<TensorInfo> ins, outs;
};

} // namespace dsrt

#endif // DSRT_DSRT_HPP
