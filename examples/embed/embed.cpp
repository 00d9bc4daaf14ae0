// Compiles an ONNX model from memory with the ds C++ API, then runs it on
// buffers this program owns. Usage: embed-cpp MODEL.onnx
//
// Every float32 input k gets the values k*10 + 0, 1, 2, ... (dimensions
// known only at run time are taken as 1); the outputs are printed.
#include "ds/ds.h"
#include "dsrt/dsrt.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

static void printDiagnostics(const ds::CompileResult &result) {
  for (const ds::Diagnostic &d : result.diagnostics)
    std::cout << "  " << ds::toString(d.severity) << " at '" << d.location
              << "': " << d.message << "\n";
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::cerr << "usage: embed-cpp MODEL.onnx\n";
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  std::string model = bytes.str();

  ds::Compiler compiler; // one per thread

  // A malformed model is an error value, not a crash.
  ds::CompileResult bad = compiler.compileONNX("not an ONNX model", {},
                                               "malformed.onnx");
  std::cout << "malformed model: " << ds::toString(bad.status) << "\n";
  printDiagnostics(bad);
  std::cout << "continued after the malformed model\n";

  ds::CompileOptions options; // target "cpu", the host CPU
  ds::CompileResult result = compiler.compileONNX(model, options, argv[1]);
  if (!result) {
    std::cout << "compile failed: " << result.message() << "\n";
    printDiagnostics(result);
    return 1;
  }
  std::cout << "compiled " << result.artifact.size() << " bytes\n";

  dsrt::Module module = dsrt::Module::loadFromMemory(result.artifact);
  if (!module) {
    std::cout << "load failed: " << module.error() << "\n";
    return 1;
  }

  // Caller-owned buffers. Shapes must outlive the run call.
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::vector<float>> buffers;
  auto allocate = [&](const dsrt::TensorInfo &info) {
    std::vector<int64_t> shape = info.shape;
    size_t n = 1;
    for (int64_t &d : shape) {
      if (d < 0)
        d = 1;
      n *= static_cast<size_t>(d);
    }
    shapes.push_back(shape);
    buffers.emplace_back(n);
  };
  for (const dsrt::TensorInfo &in : module.inputs())
    allocate(in);
  for (const dsrt::TensorInfo &out : module.outputs())
    allocate(out);
  shapes.shrink_to_fit();

  std::vector<dsrt_tensor> inputs, outputs;
  size_t slot = 0;
  for (const dsrt::TensorInfo &in : module.inputs()) {
    if (in.dtype != DSRT_F32) {
      std::cout << "input '" << in.name << "' is not float32\n";
      return 1;
    }
    for (size_t j = 0; j < buffers[slot].size(); ++j)
      buffers[slot][j] = static_cast<float>(slot * 10 + j);
    inputs.push_back(dsrt::tensor(buffers[slot].data(), in.dtype, shapes[slot]));
    ++slot;
  }
  for (const dsrt::TensorInfo &out : module.outputs()) {
    if (out.dtype != DSRT_F32) {
      std::cout << "output '" << out.name << "' is not float32\n";
      return 1;
    }
    outputs.push_back(
        dsrt::tensor(buffers[slot].data(), out.dtype, shapes[slot]));
    ++slot;
  }

  dsrt::Status status = module.run(inputs, outputs);
  if (!status) {
    std::cout << "run failed: " << status.message << "\n";
    return 1;
  }
  slot = module.inputs().size();
  for (const dsrt::TensorInfo &out : module.outputs()) {
    std::cout << out.name << " =";
    for (float v : buffers[slot])
      std::cout << " " << v;
    std::cout << "\n";
    ++slot;
  }
  return 0;
}
