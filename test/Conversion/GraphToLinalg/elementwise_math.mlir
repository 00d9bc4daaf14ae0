// RUN: ds-opt %s --ds-convert-graph-to-linalg --split-input-file | FileCheck %s

// Float math maps to math/arith ops; sign keeps 0 and NaN; f16 computes in f32.
// CHECK-LABEL: func.func @unary_float
// CHECK: math.roundeven %{{.*}} : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: math.atanh
// CHECK: math.absf
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.constant 0.166666672 : f32
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.mulf
// CHECK: arith.truncf
func.func @unary_float(%x: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xf32>, tensor<4xf16>) {
  %0 = dsg.round %x : tensor<4xf32>
  %1 = dsg.sign %0 : tensor<4xf32>
  %2 = dsg.atanh %1 : tensor<4xf32>
  %3 = dsg.softsign %2 : tensor<4xf32>
  %4 = dsg.hard_swish %h : tensor<4xf16>
  return %3, %4 : tensor<4xf32>, tensor<4xf16>
}

// -----

// Integer forms: neg is 0 - x, abs and sign are identity-like on unsigned.
// CHECK-LABEL: func.func @unary_int
// CHECK: arith.subi %{{.*}}, %{{.*}} : i8
// CHECK: math.absi %{{.*}} : i8
// CHECK: ^bb0(%[[IN:.*]]: i8, %{{.*}}: i8):
// CHECK-NOT: math.absi
// CHECK: linalg.yield %[[IN]] : i8
// CHECK: arith.cmpi ne
// CHECK: arith.select
func.func @unary_int(%i: tensor<4xi8>, %u: tensor<4xui8>) -> (tensor<4xi8>, tensor<4xui8>, tensor<4xui8>) {
  %0 = dsg.neg %i : tensor<4xi8>
  %1 = dsg.abs %0 : tensor<4xi8>
  %2 = dsg.abs %u : tensor<4xui8>
  %3 = dsg.sign %u : tensor<4xui8>
  return %1, %2, %3 : tensor<4xi8>, tensor<4xui8>, tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[A:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: math.exp
// CHECK: arith.mulf %[[A]]
// CHECK: arith.cmpf olt, %{{.*}}, %[[Z]]
// CHECK: arith.constant 1.500000e+00 : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.select
func.func @activations(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = dsg.elu %x {alpha = 2.0 : f32} : tensor<4xf32>
  %1 = dsg.thresholded_relu %x {alpha = 1.5 : f32} : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Unsigned types compare unsigned; floats compare ordered in the compute type;
// the result element type is i1.
// CHECK-LABEL: func.func @compare
// CHECK: outs(%{{.*}} : tensor<2x3xi1>)
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i16
// CHECK: arith.extf
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i32
// CHECK: arith.xori %{{.*}}, %{{.*}} : i1
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[T]] : i1
func.func @compare(%a: tensor<2x3xui16>, %b: tensor<3xui16>, %h: tensor<3xf16>, %i: tensor<3xi32>) -> (tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %0 = dsg.less %a, %b : (tensor<2x3xui16>, tensor<3xui16>) -> tensor<2x3xi1>
  %1 = dsg.greater_equal %h, %h : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xi1>
  %2 = dsg.greater %i, %i : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi1>
  %3 = dsg.xor %1, %2 : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %4 = dsg.not %3 : tensor<3xi1>
  return %0, %4, %2 : tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// Integer Mod without fmod is floor modulo; shifts past the width give 0.
// CHECK-LABEL: func.func @max_mod_shift
// CHECK: arith.maxui
// CHECK: %[[R:.*]] = arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi %[[R]]
// CHECK: arith.select
// CHECK: arith.remf
// CHECK: arith.minui
// CHECK: arith.cmpi ugt
// CHECK: arith.shrui
// CHECK: arith.select
func.func @max_mod_shift(%u: tensor<4xui32>, %i: tensor<4xi32>, %x: tensor<4xf32>) -> (tensor<4xui32>, tensor<4xi32>, tensor<4xf32>, tensor<4xui32>) {
  %0 = dsg.max %u, %u : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = dsg.mod %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = dsg.mod %x, %x {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = dsg.shift_right %0, %u : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %0, %1, %2, %3 : tensor<4xui32>, tensor<4xi32>, tensor<4xf32>, tensor<4xui32>
}

// -----

// CHECK-LABEL: func.func @is_inf
// CHECK: arith.constant 0x7F800000 : f32
// CHECK-NOT: 0xFF800000
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf uno, %{{.*}}, %{{.*}} : f32
func.func @is_inf(%x: tensor<4xf16>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = dsg.is_inf %x {detect_negative = false} : tensor<4xf16> -> tensor<4xi1>
  %1 = dsg.is_nan %x : tensor<4xf16> -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}
