// RUN: ds-opt %s --ds-cpu-lower-to-llvm | FileCheck %s

// exp and tanh map to LLVM intrinsics (which LLVM may vectorize); erf has
// none and becomes a libm call. f16/bf16 math is computed in f32, and bf16
// casts are expanded into integer operations (no soft-float helper calls).

// CHECK-DAG: llvm.func @erff(f32) -> f32
// CHECK-LABEL: llvm.func @main(
// CHECK-DAG: llvm.intr.exp(%{{.*}}) : (f32) -> f32
// CHECK-DAG: llvm.intr.tanh(%{{.*}}) : (f32) -> f32
// CHECK-DAG: llvm.call @erff(%{{.*}}) : (f32) -> f32
// CHECK-NOT: llvm.fptrunc %{{.*}} : f32 to bf16
// CHECK-NOT: llvm.call @__
#id = affine_map<(d0) -> (d0)>
func.func @main(%a: tensor<16xf32>, %h: tensor<16xf16>, %g: tensor<16xbf16>)
    -> (tensor<16xf32>, tensor<16xf16>, tensor<16xbf16>) {
  %e = tensor.empty() : tensor<16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %0 = math.exp %x : f32
    %1 = math.erf %0 : f32
    %2 = math.tanh %1 : f32
    linalg.yield %2 : f32
  } -> tensor<16xf32>
  %eh = tensor.empty() : tensor<16xf16>
  %rh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%h : tensor<16xf16>) outs(%eh : tensor<16xf16>) {
  ^bb0(%x: f16, %o: f16):
    %0 = math.exp %x : f16
    linalg.yield %0 : f16
  } -> tensor<16xf16>
  %eg = tensor.empty() : tensor<16xbf16>
  %rg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%g : tensor<16xbf16>) outs(%eg : tensor<16xbf16>) {
  ^bb0(%x: bf16, %o: bf16):
    %0 = arith.mulf %x, %x : bf16
    %1 = math.tanh %0 : bf16
    linalg.yield %1 : bf16
  } -> tensor<16xbf16>
  return %r, %rh, %rg : tensor<16xf32>, tensor<16xf16>, tensor<16xbf16>
}

// Integer powers have no LLVM intrinsic or libm function: they are
// outlined by convert-math-to-funcs.
// CHECK-LABEL: llvm.func @powers(
// CHECK: llvm.call @__mlir_math_fpowi_f32_i32
// CHECK: llvm.call @__mlir_math_ipowi_i32
func.func @powers(%x: f32, %n: i32) -> (f32, i32) {
  %0 = math.fpowi %x, %n : f32, i32
  %1 = math.ipowi %n, %n : i32
  return %0, %1 : f32, i32
}
