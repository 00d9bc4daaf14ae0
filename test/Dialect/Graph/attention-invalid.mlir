// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @head_dims(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x32xf32>, %v: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{expected query and key head dims to match, found 64 and 32 (query [1, 4, 16, 64], key [1, 4, 16, 32], value [1, 4, 16, 64])}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @kv_heads(%q: tensor<1x6x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{expected the key/value heads (4) to divide the query heads (6): query [1, 6, 16, 64], key [1, 4, 16, 64], value [1, 4, 16, 64]}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x6x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x6x16x64xf32>
  return
}

// -----

func.func @mask_broadcast(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x32x64xf32>, %v: tensor<1x4x32x64xf32>, %m: tensor<1x1x16x16xf32>) {
  // expected-error @+1 {{mask of shape [1, 1, 16, 16] does not broadcast to the scores' shape [1, 4, 16, 32] ([batch, query heads, query len, key len])}}
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x32x64xf32>, tensor<1x4x32x64xf32>, tensor<1x1x16x16xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @mask_rank(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>, %m: tensor<1x1x1x16x16xi1>) {
  // expected-error @+1 {{mask of shape [1, 1, 1, 16, 16] does not broadcast to the scores' shape [1, 4, 16, 16]}}
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x1x1x16x16xi1>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @mask_type(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>, %m: tensor<16x16xf16>) {
  // expected-error @+1 {{expected an i1 mask or an additive mask of the query's element type 'f32', found 'f16'}}
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<16x16xf16>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @kv_len(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x8x64xf32>) {
  // expected-error @+1 {{expected key and value sequence lengths to match, found 16 and 8}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x8x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @rank(%q: tensor<4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{expected a rank-4 query ([batch, heads, seq, head dim]), found shape [4, 16, 64]}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @result_shape(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf32>, %v: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{expected result shape [1, 4, 16, 32], found [1, 4, 16, 64]}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x32xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @element_type(%q: tensor<1x4x16x64xf32>, %k: tensor<1x4x16x64xf16>, %v: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{expected the key to have the query's element type 'f32', found 'f16'}}
  %0 = dsg.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

func.func @scale(%q: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{expected a finite scale, found INF}}
  %0 = dsg.attention %q, %q, %q {scale = 0x7F800000 : f32} : (tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}
