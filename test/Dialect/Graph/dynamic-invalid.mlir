// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @shape_range(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{expected 0 <= start <= end <= 2 (the input rank), found start 1 and end 3}}
  %0 = dsg.shape %x {start = 1 : i64, end = 3 : i64} : tensor<?x3xf32> -> tensor<2xi64>
  return
}

// -----

func.func @shape_length(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{expected a result of 2 elements, found 'tensor<1xi64>'}}
  %0 = dsg.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x3xf32> -> tensor<1xi64>
  return
}

// -----

func.func @shape_type(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{must be 1D tensor of 64-bit signless integer values}}
  %0 = dsg.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x3xf32> -> tensor<2xi32>
  return
}

// -----

func.func @fill_value_type(%s: tensor<2xi64>) {
  // expected-error @+1 {{expected the value to have the result's element type 'f32', found 'i32'}}
  %0 = dsg.fill %s, 1 : i32 : tensor<2xi64> -> tensor<?x3xf32>
  return
}

// -----

func.func @fill_rank(%s: tensor<3xi64>) {
  // expected-error @+1 {{expected a result of rank 3 (the shape's length), found 'tensor<?x3xf32>'}}
  %0 = dsg.fill %s, 1.0 : f32 : tensor<3xi64> -> tensor<?x3xf32>
  return
}

// -----

func.func @fill_unranked_shape(%s: tensor<?xi64>) {
  // expected-error @+1 {{expected a shape operand of static length (the result rank)}}
  %0 = dsg.fill %s, 1.0 : f32 : tensor<?xi64> -> tensor<?x3xf32>
  return
}

// -----

func.func @range_to_scalar(%a: tensor<1xi64>, %b: tensor<i64>) {
  // expected-error @+1 {{expected 0-D start, limit and delta}}
  %0 = dsg.range_to %a, %b, %b : (tensor<1xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_to_type(%a: tensor<i32>, %b: tensor<i64>) {
  // expected-error @+1 {{expected start, limit and delta to have the result's element type}}
  %0 = dsg.range_to %a, %b, %b : (tensor<i32>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @nonzero_rows(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected 2 result rows (the input rank), found 'tensor<3x?xi64>'}}
  %0 = dsg.nonzero %x : tensor<2x3xf32> -> tensor<3x?xi64>
  return
}

// -----

func.func @nonzero_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{must be 2D tensor of 64-bit signless integer values}}
  %0 = dsg.nonzero %x : tensor<2x3xf32> -> tensor<2x?xi32>
  return
}
