// RUN: ds-opt %s --ds-gpu-approximate-math | FileCheck %s

// No transcendental call is left for a device library to provide; sqrt and
// fma stay (both back ends lower them natively).
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.powf
// CHECK-NOT: math.floor
// CHECK: math.sqrt
// CHECK: return
func.func @f(%x: f32, %y: f32) -> (f32, f32, f32, f32, f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.log %x : f32
  %2 = math.erf %x : f32
  %3 = math.tanh %x : f32
  %4 = math.powf %x, %y : f32
  %5 = math.floor %x : f32
  %6 = math.sqrt %x : f32
  return %0, %1, %2, %3, %4, %5, %6 : f32, f32, f32, f32, f32, f32, f32
}

// f16 goes through f32.
// CHECK-LABEL: func.func @half
// CHECK: arith.extf
// CHECK-NOT: math.exp
// CHECK: arith.truncf
func.func @half(%x: f16) -> f16 {
  %0 = math.exp %x : f16
  return %0 : f16
}
