// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @slice_lengths(%x: tensor<20x10xf32>, %s: tensor<2xi64>, %a: tensor<1xi64>) {
  // expected-error @+1 {{expected starts, axes and steps of one length}}
  %0 = dsg.slice %x, %s, %a, %s : (tensor<20x10xf32>, tensor<2xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<3x10xf32>
  return
}

// -----

func.func @slice_larger(%x: tensor<20x10xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{expected no result dimension larger than the input's}}
  %0 = dsg.slice %x, %s, %s, %s : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<3x11xf32>
  return
}

// -----

func.func @slice_dynamic(%x: tensor<20x10xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{must be statically shaped tensor of any type values}}
  %0 = dsg.slice %x, %s, %s, %s : (tensor<20x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x10xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>, %p: tensor<3xi64>) {
  // expected-error @+1 {{expected 1-D pads of 4 entries}}
  %0 = dsg.pad %x, %p : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_mode(%x: tensor<2x3xf32>, %p: tensor<4xi64>) {
  // expected-error @+1 {{unknown mode 'wrap'}}
  %0 = dsg.pad %x, %p {mode = "wrap"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_value(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) {
  // expected-error @+1 {{expected no value outside constant mode}}
  %0 = dsg.pad %x, %p, %v {mode = "edge"} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @tile_multiple(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected each result dimension to be a multiple of the input's}}
  %0 = dsg.tile %x : tensor<2x3xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @expand_broadcast(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected the input to broadcast to the result}}
  %0 = dsg.expand %x : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @range_rank(%s: tensor<f32>, %d: tensor<1xf32>) {
  // expected-error @+1 {{expected start and delta to be 0-D}}
  %0 = dsg.range %s, %d : (tensor<f32>, tensor<1xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @trilu_rank(%x: tensor<3xf32>) {
  // expected-error @+1 {{expected an input of rank 2 or more}}
  %0 = dsg.trilu %x : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<3xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{expected axis to be 0-D}}
  %0 = dsg.cumsum %x, %a : (tensor<3xf32>, tensor<1xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_elements_shape(%d: tensor<2x2xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{expected result shape [2, 3]}}
  %0 = dsg.gather_elements %d, %i {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xi64>) -> tensor<2x2xf32>
  return
}

// -----

func.func @gather_nd_fit(%d: tensor<2x2xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{expected 0 <= batch_dims < rank(indices) and 1 <= batch_dims + indices.shape[-1] <= rank(data)}}
  %0 = dsg.gather_nd %d, %i : (tensor<2x2xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @scatter_reduction(%d: tensor<2x2xf32>, %i: tensor<2x2xi64>) {
  // expected-error @+1 {{unknown reduction 'max'}}
  %0 = dsg.scatter_elements %d, %i, %d {axis = 0 : i64, reduction = "max"} : (tensor<2x2xf32>, tensor<2x2xi64>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{expected updates of shape indices.shape[:-1] + data.shape[indices.shape[-1]:]}}
  %0 = dsg.scatter_nd %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @one_hot_values(%i: tensor<3xi64>, %d: tensor<i64>, %v: tensor<3xf32>) {
  // expected-error @+1 {{expected values of shape [2]}}
  %0 = dsg.one_hot %i, %d, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}
