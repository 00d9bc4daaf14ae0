// RUN: ds-opt %s | ds-opt | FileCheck %s

// CHECK-LABEL: func.func @slicing
func.func @slicing(%x: tensor<20x10xf32>, %s: tensor<2xi64>, %a: tensor<2xi32>, %p: tensor<4xi64>, %v: tensor<f32>) -> (tensor<3x10xf32>, tensor<22x12xf32>, tensor<20x10xf32>) {
  // CHECK: dsg.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi32>, tensor<2xi64>) -> tensor<3x10xf32>
  %0 = dsg.slice %x, %s, %a, %s : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi32>, tensor<2xi64>) -> tensor<3x10xf32>
  // CHECK: dsg.pad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<20x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<22x12xf32>
  %1 = dsg.pad %x, %p, %v : (tensor<20x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<22x12xf32>
  // CHECK: dsg.pad %{{.*}}, %{{.*}} {mode = "reflect"} : (tensor<20x10xf32>, tensor<4xi64>) -> tensor<20x10xf32>
  %2 = dsg.pad %x, %p {mode = "reflect"} : (tensor<20x10xf32>, tensor<4xi64>) -> tensor<20x10xf32>
  return %0, %1, %2 : tensor<3x10xf32>, tensor<22x12xf32>, tensor<20x10xf32>
}

// CHECK-LABEL: func.func @repeat
func.func @repeat(%x: tensor<3x1xf32>, %s: tensor<f64>, %d: tensor<f64>) -> (tensor<6x2xf32>, tensor<2x3x4xf32>, tensor<5xf64>) {
  // CHECK: dsg.tile %{{.*}} : tensor<3x1xf32> -> tensor<6x2xf32>
  %0 = dsg.tile %x : tensor<3x1xf32> -> tensor<6x2xf32>
  // CHECK: dsg.expand %{{.*}} : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %1 = dsg.expand %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  // CHECK: dsg.range %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<5xf64>
  %2 = dsg.range %s, %d : (tensor<f64>, tensor<f64>) -> tensor<5xf64>
  return %0, %1, %2 : tensor<6x2xf32>, tensor<2x3x4xf32>, tensor<5xf64>
}

// CHECK-LABEL: func.func @masks
func.func @masks(%x: tensor<4x5xi64>, %k: tensor<i64>, %a: tensor<i32>) -> (tensor<4x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>) {
  // CHECK: dsg.trilu %{{.*}}, %{{.*}} {upper = false} : (tensor<4x5xi64>, tensor<i64>) -> tensor<4x5xi64>
  %0 = dsg.trilu %x, %k {upper = false} : (tensor<4x5xi64>, tensor<i64>) -> tensor<4x5xi64>
  // CHECK: dsg.trilu %{{.*}} : (tensor<4x5xi64>) -> tensor<4x5xi64>
  %1 = dsg.trilu %x : (tensor<4x5xi64>) -> tensor<4x5xi64>
  // CHECK: dsg.cumsum %{{.*}}, %{{.*}} {exclusive = true, reverse = true} : (tensor<4x5xi64>, tensor<i32>) -> tensor<4x5xi64>
  %2 = dsg.cumsum %x, %a {exclusive = true, reverse = true} : (tensor<4x5xi64>, tensor<i32>) -> tensor<4x5xi64>
  return %0, %1, %2 : tensor<4x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>
}

// CHECK-LABEL: func.func @gathers
func.func @gathers(%d: tensor<2x2x2xf32>, %i: tensor<2x2x2xi64>, %n: tensor<2x1xi64>, %u: tensor<2x2x2xf32>, %nu: tensor<2x2x2xf32>) -> (tensor<2x2x2xf32>, tensor<2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) {
  // CHECK: dsg.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x2x2xi64>) -> tensor<2x2x2xf32>
  %0 = dsg.gather_elements %d, %i {axis = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x2x2xi64>) -> tensor<2x2x2xf32>
  // CHECK: dsg.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
  %1 = dsg.gather_nd %d, %n {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
  // CHECK: dsg.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, reduction = "add"}
  %2 = dsg.scatter_elements %d, %i, %u {axis = 2 : i64, reduction = "add"} : (tensor<2x2x2xf32>, tensor<2x2x2xi64>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  // CHECK: dsg.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x2x2xf32>, tensor<2x1xi64>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  %3 = dsg.scatter_nd %d, %n, %nu : (tensor<2x2x2xf32>, tensor<2x1xi64>, tensor<2x2x2xf32>) -> tensor<2x2x2xf32>
  return %0, %1, %2, %3 : tensor<2x2x2xf32>, tensor<2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>
}

// CHECK-LABEL: func.func @one_hot
func.func @one_hot(%i: tensor<2x3xf32>, %d: tensor<f32>, %v: tensor<2xi32>) -> tensor<2x10x3xi32> {
  // CHECK: dsg.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<2xi32>) -> tensor<2x10x3xi32>
  %0 = dsg.one_hot %i, %d, %v {axis = 1 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<2xi32>) -> tensor<2x10x3xi32>
  return %0 : tensor<2x10x3xi32>
}
