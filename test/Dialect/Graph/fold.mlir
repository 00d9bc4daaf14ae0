// RUN: ds-opt -canonicalize -split-input-file %s | FileCheck %s

// Shape arithmetic on small integer constants folds (ONNX semantics).
// CHECK-LABEL: func.func @arith
// CHECK-DAG: dsg.constant dense<[7, 0]> : tensor<2xi64>
// CHECK-DAG: dsg.constant dense<[1, -6]> : tensor<2xi64>
// CHECK-DAG: dsg.constant dense<12> : tensor<2xi64>
// Integer division truncates toward zero.
// CHECK-DAG: dsg.constant dense<[1, -1]> : tensor<2xi64>
// CHECK-NOT: dsg.add
// CHECK-NOT: dsg.div
func.func @arith() -> (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %a = dsg.constant dense<[4, -3]> : tensor<2xi64>
  %b = dsg.constant dense<3> : tensor<i64>
  %b2 = dsg.constant dense<[3, 2]> : tensor<2xi64>
  %add = dsg.add %a, %b : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %sub = dsg.sub %a, %b : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %mul = dsg.mul %a, %b2 : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %p = dsg.constant dense<[4, 6]> : tensor<2xi64>
  %m = dsg.mul %p, %b2 : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %div = dsg.div %a, %b2 : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %add, %sub, %m, %div : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Division by zero is left to run time.
// CHECK-LABEL: func.func @div_zero
// CHECK: dsg.div
func.func @div_zero() -> tensor<i64> {
  %a = dsg.constant dense<4> : tensor<i64>
  %z = dsg.constant dense<0> : tensor<i64>
  %d = dsg.div %a, %z : (tensor<i64>, tensor<i64>) -> tensor<i64>
  return %d : tensor<i64>
}

// -----

// PyTorch's expand shape logic: where(shape == -1, ones, shape).
// CHECK-LABEL: func.func @equal_where
// CHECK: %[[C:.*]] = dsg.constant dense<[1, 5, 1]> : tensor<3xi64>
// CHECK: return %[[C]]
func.func @equal_where() -> tensor<3xi64> {
  %shape = dsg.constant dense<[-1, 5, -1]> : tensor<3xi64>
  %m1 = dsg.constant dense<-1> : tensor<i64>
  %ones = dsg.constant dense<1> : tensor<3xi64>
  %eq = dsg.equal %shape, %m1 : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %w = dsg.where %eq, %ones, %shape : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %w : tensor<3xi64>
}

// -----

// Shape -> Gather -> Unsqueeze (a reshape) -> Concat.
// CHECK-LABEL: func.func @gather_concat
// CHECK: %[[C:.*]] = dsg.constant dense<[4, 2, 6]> : tensor<3xi64>
// CHECK: return %[[C]]
func.func @gather_concat() -> tensor<3xi64> {
  %shape = dsg.constant dense<[2, 3, 4]> : tensor<3xi64>
  %i = dsg.constant dense<-1> : tensor<i64>
  %g = dsg.gather %shape, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %u = dsg.reshape %g : (tensor<i64>) -> tensor<1xi64>
  %c = dsg.constant dense<[2, 6]> : tensor<2xi64>
  %r = dsg.concat %u, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @slice_cast_reduce
// CHECK-DAG: dsg.constant dense<[4, 3]> : tensor<2xi64>
// CHECK-DAG: dsg.constant dense<[2.000000e+00, -1.000000e+00]> : tensor<2xf32>
// Float to integer truncates toward zero.
// CHECK-DAG: dsg.constant dense<[2, -1]> : tensor<2xi32>
// CHECK-DAG: dsg.constant dense<24> : tensor<i64>
// CHECK-NOT: dsg.slice
// CHECK-NOT: dsg.cast
// CHECK-NOT: dsg.reduce_prod
func.func @slice_cast_reduce() -> (tensor<2xi64>, tensor<2xf32>, tensor<2xi32>, tensor<i64>) {
  %shape = dsg.constant dense<[2, 3, 4]> : tensor<3xi64>
  %start = dsg.constant dense<-1> : tensor<1xi64>
  %axes = dsg.constant dense<0> : tensor<1xi64>
  %step = dsg.constant dense<-1> : tensor<1xi64>
  %s = dsg.slice %shape, %start, %axes, %step : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %i = dsg.constant dense<[2, -1]> : tensor<2xi64>
  %f = dsg.cast %i : tensor<2xi64> -> tensor<2xf32>
  %h = dsg.constant dense<[2.75, -1.5]> : tensor<2xf32>
  %t = dsg.cast %h : tensor<2xf32> -> tensor<2xi32>
  %p = dsg.reduce_prod %shape {axes = array<i64: 0>, keepdims = false} : tensor<3xi64> -> tensor<i64>
  return %s, %f, %t, %p : tensor<2xi64>, tensor<2xf32>, tensor<2xi32>, tensor<i64>
}

// -----

// CHECK-LABEL: func.func @expand_range
// CHECK-DAG: dsg.constant dense<{{\[}}[1, 2], [1, 2]]> : tensor<2x2xi64>
// CHECK-DAG: dsg.constant dense<[0, 3, 6]> : tensor<3xi64>
func.func @expand_range() -> (tensor<2x2xi64>, tensor<3xi64>) {
  %a = dsg.constant dense<[1, 2]> : tensor<2xi64>
  %e = dsg.expand %a : tensor<2xi64> -> tensor<2x2xi64>
  %s = dsg.constant dense<0> : tensor<i64>
  %d = dsg.constant dense<3> : tensor<i64>
  %r = dsg.range %s, %d : (tensor<i64>, tensor<i64>) -> tensor<3xi64>
  return %e, %r : tensor<2x2xi64>, tensor<3xi64>
}

// -----

// Large tensors (weights) are never folded.
// CHECK-LABEL: func.func @large
// CHECK: dsg.add
func.func @large() -> tensor<2048xf32> {
  %a = dsg.constant dense<1.0> : tensor<2048xf32>
  %r = dsg.add %a, %a : (tensor<2048xf32>, tensor<2048xf32>) -> tensor<2048xf32>
  return %r : tensor<2048xf32>
}
