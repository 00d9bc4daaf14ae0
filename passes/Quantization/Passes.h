//===- Passes.h - ds quantization passes ------------------------*- C++ -*-===//
#ifndef DS_PASSES_QUANTIZATION_PASSES_H
#define DS_PASSES_QUANTIZATION_PASSES_H

#include "Quant/QuantOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "passes/Quantization/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Quantization/Passes.h.inc"

/// Registers the lowering of the dsq ops that reach `convert-to-llvm`
/// (dsq.dot4 → vpdpbusd).
void registerQuantToLLVMInterface(DialectRegistry &registry);

/// Whether the host CPU has an 8-bit integer dot product ds can use for
/// quantized activations (AVX-512 VNNI or AVX-VNNI).
bool hostHasInt8DotProduct();
/// Whether the host CPU has AVX-512 VNNI (the `vpdpbusd` kernel's need).
bool hostHasAVX512VNNI();

} // namespace mlir::ds

#endif // DS_PASSES_QUANTIZATION_PASSES_H
