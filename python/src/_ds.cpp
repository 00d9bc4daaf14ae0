//===- _ds.cpp - The `ds._ds` Python extension ----------------------------===//
//
// The native half of the `ds` Python package (python/ds/__init__.py is the
// public API), over the embedding APIs: ds::Compiler (include/ds/ds.h) and
// the dsrt runtime (runtime/include/dsrt/dsrt.h).
//
//   compile(source, kind, target, cpu, features, opt_level, fuse_attention)
//       -> (status, [(severity, location, message), ...], artifact bytes)
//     kind "onnx": `source` is serialized ONNX bytes; "mlir": MLIR text;
//     "file": a path (.onnx or .mlir). Never throws for bad models: the
//     status ("success", "unsupported", "invalid", "failure") and the
//     diagnostics say what happened. The artifact stays in memory.
//
//   Runtime(artifact_bytes) / Runtime(path): a loaded artifact
//     (dsrt_module). inputs()/outputs() give (name, dtype code, shape with -1
//     for run-time sizes); run(inputs, outputs) runs on the arrays' own
//     memory, without copies; run_alloc(inputs) returns outputs the runtime
//     allocated, for models whose output shapes are known only at run time. The GIL is released while compiling and
//     running; calls on one Runtime are serialized.
//
//===----------------------------------------------------------------------===//

#include "ds/ds.h"
#include "dsrt/dsrt.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace py = pybind11;

namespace {

using DiagTuple = std::tuple<std::string, std::string, std::string>;
/// (status, diagnostics, artifact bytes).
using CompileOutcome = std::tuple<std::string, std::vector<DiagTuple>, py::bytes>;

// The embedding API (include/ds/ds.h, libdscompiler): structured diagnostics
// and the artifact in memory.
CompileOutcome compile(const py::object &source, const std::string &kind,
                       const std::string &target, const std::string &cpu,
                       const std::string &features, unsigned optLevel,
                       bool fuseAttention) {
  std::string data = kind == "onnx" ? std::string(py::bytes(source))
                                    : std::string(py::str(source));
  ds::CompileResult result;
  {
    py::gil_scoped_release release;
    ds::CompileOptions options;
    options.target = target;
    options.cpu = cpu;
    options.features = features;
    options.optLevel = optLevel;
    options.fuseAttention = fuseAttention;
    ds::Compiler compiler;
    if (kind == "onnx")
      result = compiler.compileONNX(data, options, "<bytes>");
    else if (kind == "mlir")
      result = compiler.compileMLIR(data, options, "<mlir>");
    else
      result = compiler.compileFile(data, options);
  }
  std::vector<DiagTuple> diags;
  for (const ds::Diagnostic &d : result.diagnostics)
    diags.emplace_back(ds::toString(d.severity), d.location, d.message);
  std::string status = result.ok() ? "success" : ds::toString(result.status);
  return {status, std::move(diags), py::bytes(result.artifact)};
}


using TensorInfo = std::tuple<std::string, int, std::vector<int64_t>>;

/// A loaded artifact. Calls on one Runtime are serialized.
class Runtime {
public:
  /// Loads the artifact at `path`, or held in `bytes` when `fromMemory`.
  Runtime(const std::string &pathOrBytes, bool fromMemory) {
    dsrt_status st =
        fromMemory ? dsrt_module_load_memory(pathOrBytes.data(),
                                             pathOrBytes.size(), &module_)
                   : dsrt_module_load(pathOrBytes.c_str(), &module_);
    if (st != DSRT_OK)
      throw std::runtime_error(std::string("cannot load the artifact: ") +
                               dsrt_last_error());
    inputs_ = query(true);
    outputs_ = query(false);
  }
  ~Runtime() { close(); }
  Runtime(const Runtime &) = delete;
  Runtime &operator=(const Runtime &) = delete;

  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (module_)
      dsrt_module_free(module_);
    module_ = nullptr;
  }
  bool closed() const { return module_ == nullptr; }
  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }

  /// Runs on the arrays' memory. The caller (ds.Module) has matched dtypes
  /// and shapes; this re-checks everything that could make the run touch
  /// memory outside the arrays, so misuse raises instead of crashing.
  void run(const std::vector<py::array> &ins, std::vector<py::array> &outs) {
    check(ins, inputs_, "input", false);
    check(outs, outputs_, "output", true);
    std::vector<std::vector<int64_t>> shapes;
    std::vector<dsrt_tensor> in, out;
    auto describe = [&](py::array &a, const TensorInfo &info, void *data) {
      shapes.emplace_back(a.shape(), a.shape() + a.ndim());
      return dsrt_tensor{data, static_cast<dsrt_dtype>(std::get<1>(info)),
                         static_cast<int32_t>(a.ndim()), nullptr};
    };
    shapes.reserve(ins.size() + outs.size());
    for (size_t i = 0; i < ins.size(); ++i)
      in.push_back(describe(const_cast<py::array &>(ins[i]), inputs_[i],
                            const_cast<void *>(ins[i].data())));
    for (size_t i = 0; i < outs.size(); ++i)
      out.push_back(describe(outs[i], outputs_[i], outs[i].mutable_data()));
    for (size_t i = 0; i < in.size(); ++i)
      in[i].shape = shapes[i].data();
    for (size_t i = 0; i < out.size(); ++i)
      out[i].shape = shapes[in.size() + i].data();

    dsrt_status st;
    std::string message;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      if (!module_)
        throw std::runtime_error("the module is closed");
      st = dsrt_module_run(module_, in.data(), static_cast<int32_t>(in.size()),
                           out.data(), static_cast<int32_t>(out.size()));
      if (st != DSRT_OK)
        message = dsrt_last_error();
    }
    if (st != DSRT_OK)
      throw std::runtime_error(message);
  }

  /// Runs with runtime-allocated outputs (dsrt_module_run_alloc), for
  /// models whose output shapes are known only at run time. Returns, per
  /// output, (uint8 array over its bytes, shape); each array owns the
  /// runtime's buffer (freed with dsrt_tensor_free when the last view
  /// goes), so the Python side views it with the dtype without copying.
  std::vector<std::tuple<py::array, std::vector<int64_t>>>
  runAlloc(const std::vector<py::array> &ins) {
    check(ins, inputs_, "input", false);
    std::vector<std::vector<int64_t>> shapes;
    std::vector<dsrt_tensor> in;
    shapes.reserve(ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      shapes.emplace_back(ins[i].shape(), ins[i].shape() + ins[i].ndim());
      in.push_back(dsrt_tensor{const_cast<void *>(ins[i].data()),
                               static_cast<dsrt_dtype>(std::get<1>(inputs_[i])),
                               static_cast<int32_t>(ins[i].ndim()),
                               shapes.back().data()});
    }
    std::vector<dsrt_tensor> out(outputs_.size());
    dsrt_status st;
    std::string message;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      if (!module_)
        throw std::runtime_error("the module is closed");
      st = dsrt_module_run_alloc(module_, in.data(),
                                 static_cast<int32_t>(in.size()), out.data(),
                                 static_cast<int32_t>(out.size()));
      if (st != DSRT_OK)
        message = dsrt_last_error();
    }
    if (st != DSRT_OK)
      throw std::runtime_error(message);
    std::vector<std::tuple<py::array, std::vector<int64_t>>> results;
    for (dsrt_tensor &t : out) {
      std::vector<int64_t> shape(t.shape, t.shape + t.rank);
      size_t bytes = dsrt_dtype_size(t.dtype);
      for (int64_t d : shape)
        bytes *= static_cast<size_t>(d);
      auto *owned = new dsrt_tensor(t);
      t = dsrt_tensor{};
      py::capsule release(owned, [](void *p) {
        auto *tensor = static_cast<dsrt_tensor *>(p);
        dsrt_tensor_free(tensor);
        delete tensor;
      });
      results.emplace_back(
          py::array(py::dtype("uint8"), {static_cast<py::ssize_t>(bytes)},
                    {static_cast<py::ssize_t>(1)},
                    static_cast<uint8_t *>(owned->data), release),
          std::move(shape));
    }
    return results;
  }

private:
  std::vector<TensorInfo> query(bool inputs) {
    std::vector<TensorInfo> infos;
    int32_t n = inputs ? dsrt_module_num_inputs(module_)
                       : dsrt_module_num_outputs(module_);
    for (int32_t i = 0; i < n; ++i) {
      dsrt_tensor_info info;
      dsrt_status st = inputs ? dsrt_module_input_info(module_, i, &info)
                              : dsrt_module_output_info(module_, i, &info);
      if (st != DSRT_OK) {
        std::string message = dsrt_last_error();
        dsrt_module_free(module_);
        module_ = nullptr;
        throw std::runtime_error("cannot query the artifact: " + message);
      }
      infos.emplace_back(info.name ? info.name : "",
                         static_cast<int>(info.dtype),
                         std::vector<int64_t>(info.shape,
                                              info.shape + info.rank));
    }
    return infos;
  }

  static void check(const std::vector<py::array> &arrays,
                    const std::vector<TensorInfo> &infos, const char *what,
                    bool writable) {
    if (arrays.size() != infos.size())
      throw py::value_error("expected " + std::to_string(infos.size()) + " " +
                            what + "s, got " + std::to_string(arrays.size()));
    for (size_t i = 0; i < arrays.size(); ++i) {
      const py::array &a = arrays[i];
      const auto &[name, dtype, shape] = infos[i];
      std::string where = std::string(what) + " '" + name + "': ";
      if (!(a.flags() & py::array::c_style))
        throw py::value_error(where + "the array is not C-contiguous");
      if (writable && !a.writeable())
        throw py::value_error(where + "the array is not writeable");
      size_t size = dsrt_dtype_size(static_cast<dsrt_dtype>(dtype));
      if (size == 0 || static_cast<size_t>(a.itemsize()) != size)
        throw py::type_error(where + "element size " +
                             std::to_string(a.itemsize()) + ", expected " +
                             std::to_string(size));
      if (static_cast<size_t>(a.ndim()) != shape.size())
        throw py::value_error(where + "rank " + std::to_string(a.ndim()) +
                              ", expected " + std::to_string(shape.size()));
      for (size_t d = 0; d < shape.size(); ++d)
        if (shape[d] != -1 && shape[d] != a.shape(d))
          throw py::value_error(where + "dimension " + std::to_string(d) +
                                " is " + std::to_string(a.shape(d)) +
                                ", expected " + std::to_string(shape[d]));
    }
  }

  dsrt_module *module_ = nullptr;
  std::mutex mutex_;
  std::vector<TensorInfo> inputs_, outputs_;
};

} // namespace

PYBIND11_MODULE(_ds, m) {
  m.doc() = "Native part of the ds package; use the `ds` module instead.";
  m.def("compile", &compile, py::arg("source"), py::arg("kind"),
        py::arg("target") = "cpu", py::arg("cpu") = "",
        py::arg("features") = "", py::arg("opt_level") = 3,
        py::arg("fuse_attention") = true,
        "compile(source, kind) -> (status, [(severity, location, message)], "
        "artifact bytes); kind: 'onnx' (bytes), 'mlir' (text), 'file' (path)");
  m.def("dtype_name", [](int dtype) {
    return std::string(dsrt_dtype_name(static_cast<dsrt_dtype>(dtype)));
  });
  py::class_<Runtime>(m, "Runtime")
      .def(py::init([](const py::bytes &artifact) {
             return std::make_unique<Runtime>(std::string(artifact), true);
           }),
           py::arg("artifact"))
      .def(py::init([](const std::string &path) {
             return std::make_unique<Runtime>(path, false);
           }),
           py::arg("path"))
      .def("inputs", &Runtime::inputs)
      .def("outputs", &Runtime::outputs)
      .def("run", &Runtime::run, py::arg("inputs"), py::arg("outputs"))
      .def("run_alloc", &Runtime::runAlloc, py::arg("inputs"))
      .def("close", &Runtime::close)
      .def_property_readonly("closed", &Runtime::closed);
}
