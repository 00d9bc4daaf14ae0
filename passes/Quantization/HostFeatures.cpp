//===- HostFeatures.cpp - what the host CPU offers quantized code ---------===//
#include "passes/Quantization/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

static bool hostHas(llvm::StringRef feature) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto it = features.find(feature);
  return it != features.end() && it->second;
}

bool mlir::ds::hostHasAVX512VNNI() {
  return hostHas("avx512vnni") && hostHas("avx512bw");
}

bool mlir::ds::hostHasInt8DotProduct() {
  return hostHasAVX512VNNI() || hostHas("avxvnni");
}
