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

// -----

func.func @slice_to_element_type(%x: tensor<4xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{expected the result to have the input's element type 'f32', found 'tensor<?xi32>'}}
  %0 = dsg.slice_to %x, %i, %i, %i, %i : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi32>
  return
}

// -----

func.func @slice_to_rank(%x: tensor<4xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{expected a result of rank 1 (the input's), found 'tensor<?x?xf32>'}}
  %0 = dsg.slice_to %x, %i, %i, %i, %i : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_to_lengths(%x: tensor<4x3xf32>, %i: tensor<1xi64>, %j: tensor<2xi64>) {
  // expected-error @+1 {{expected starts, ends, axes and steps of one length}}
  %0 = dsg.slice_to %x, %i, %j, %i, %i : (tensor<4x3xf32>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return
}

// -----

func.func @slice_to_1d(%x: tensor<4x3xf32>, %i: tensor<1xi64>, %m: tensor<1x1xi64>) {
  // expected-error @+1 {{expected 1-D starts, ends, axes and steps}}
  %0 = dsg.slice_to %x, %i, %i, %m, %i : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1x1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return
}

// -----

func.func @slice_to_too_many(%x: tensor<4xf32>, %j: tensor<2xi64>) {
  // expected-error @+1 {{expected at most 1 (the input rank) sliced axes, found 2}}
  %0 = dsg.slice_to %x, %j, %j, %j, %j : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @slice_to_larger(%x: tensor<4x3xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{expected result dimension 1 no larger than the input's (3), found 5}}
  %0 = dsg.slice_to %x, %i, %i, %i, %i : (tensor<4x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x5xf32>
  return
}

// -----

func.func @slice_to_index_type(%x: tensor<4xf32>, %i: tensor<1xi64>, %f: tensor<1xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = dsg.slice_to %x, %i, %f, %i, %i : (tensor<4xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}
