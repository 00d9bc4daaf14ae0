// RUN: ds-opt %s --split-input-file --ds-lower-quantized="vnni=on" | FileCheck %s

// 20 output channels: two blocks of 16 (the second zero-padded), K = 64 in
// 16 chunks of 4; rows in blocks of 4 then one at a time; the result is
// sliced back to 20 channels and expanded to the lhs's leading shape.
// CHECK-LABEL: func @int8
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x16x64xi8>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x1x16xi32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x1x16xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<32xf32>
// Activations are offset to unsigned once (xor of the sign bit); then 4 rows
// x 2 blocks of 16 channels, 8 dot products per step of K; the leftover
// rows one at a time (2 per step).
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x64xi8> into tensor<6x64xi8>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<6x64xi8>)
// CHECK: arith.constant -128 : i8
// CHECK: arith.xori
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<2x16x64xi8>, vector<64xi8>
// CHECK: vector.transfer_read {{.*}} : tensor<2x16x64xi8>, vector<64xi8>
// CHECK-COUNT-8: dsq.dot4
// CHECK-NOT: dsq.dot4
// CHECK: arith.subi
// CHECK: vector.fma
// CHECK: vector.transfer_write
// CHECK-COUNT-2: dsq.dot4
// CHECK-NOT: dsq.dot4
// CHECK: tensor.extract_slice {{.*}} : tensor<6x32xf32> to tensor<6x20xf32>
// CHECK: tensor.expand_shape
// CHECK-NOT: dsq.qmatmul
// CHECK-NOT: dsq.weight
func.func @int8(%x: tensor<2x3x64xi8>, %xs: tensor<2x3x1xf32>) -> tensor<2x3x20xf32> {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<20x64xi8>, scales = dense<0.5> : tensor<20x1xf32>}
      : tensor<20x64xi8>, tensor<20x1xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<2x3x64xi8>, tensor<2x3x1xf32>, tensor<20x64xi8>, tensor<20x1xf32>) -> tensor<2x3x20xf32>
  return %y : tensor<2x3x20xf32>
}

// -----

// 4-bit weights stay packed (K = 64: 8 chunks of 8); each chunk gives two
// dot-product operands by shifting, so 2 x 4 rows of dsq.dot4 per chunk.
// CHECK-LABEL: func @int4
// CHECK: arith.constant dense<{{.*}}> : tensor<1x8x64xi8>
// CHECK: arith.constant dense<{{.*}}> : tensor<1x2x16xi32>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.shrsi
// CHECK-COUNT-8: dsq.dot4
// CHECK-NOT: tensor.extract_slice
func.func @int4(%x: tensor<8x64xi8>, %xs: tensor<f32>) -> tensor<8x16xf32> {
  %w, %s = dsq.weight {bits = 4 : i64, group_size = 32 : i64,
      values = dense<17> : tensor<16x32xi8>, scales = dense<0.5> : tensor<16x2xf32>}
      : tensor<16x32xi8>, tensor<16x2xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s {bits = 4 : i64}
      : (tensor<8x64xi8>, tensor<f32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// Where the kernel does not apply, the portable form is used: float
// activations, weights that are not a dsq.weight, K not a multiple of 4.
// CHECK-LABEL: func @fallback
// CHECK-NOT: dsq.dot4
// CHECK-COUNT-3: linalg.generic {{.*}}reduction
// CHECK-NOT: dsq.dot4
func.func @fallback(%f: tensor<5x64xf32>, %x: tensor<5x64xi8>, %xs: tensor<5x1xf32>,
                    %wa: tensor<8x64xi8>, %sa: tensor<8x1xf32>, %x6: tensor<5x6xi8>) -> (tensor<5x8xf32>, tensor<5x8xf32>, tensor<5x8xf32>) {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<8x64xi8>, scales = dense<0.5> : tensor<8x1xf32>}
      : tensor<8x64xi8>, tensor<8x1xf32>
  %a = dsq.qmatmul %f, %w scale %s {bits = 8 : i64}
      : (tensor<5x64xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  %b = dsq.qmatmul %x scale %xs, %wa scale %sa {bits = 8 : i64}
      : (tensor<5x64xi8>, tensor<5x1xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  %w6, %s6 = dsq.weight {bits = 8 : i64, group_size = 6 : i64,
      values = dense<3> : tensor<8x6xi8>, scales = dense<0.5> : tensor<8x1xf32>}
      : tensor<8x6xi8>, tensor<8x1xf32>
  %c = dsq.qmatmul %x6 scale %xs, %w6 scale %s6 {bits = 8 : i64}
      : (tensor<5x6xi8>, tensor<5x1xf32>, tensor<8x6xi8>, tensor<8x1xf32>) -> tensor<5x8xf32>
  return %a, %b, %c : tensor<5x8xf32>, tensor<5x8xf32>, tensor<5x8xf32>
}

// -----

// A dynamic batch: the rows are counted at run time.
// CHECK-LABEL: func @dynamic_rows
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<?x3x64xi8> into tensor<?x64xi8>
// CHECK: tensor.dim
// CHECK: dsq.dot4
// CHECK: tensor.expand_shape {{.*}} : tensor<?x32xf32> into tensor<?x3x32xf32>
func.func @dynamic_rows(%x: tensor<?x3x64xi8>, %xs: tensor<?x3x1xf32>) -> tensor<?x3x32xf32> {
  %w, %s = dsq.weight {bits = 8 : i64, group_size = 64 : i64,
      values = dense<3> : tensor<32x64xi8>, scales = dense<0.5> : tensor<32x1xf32>}
      : tensor<32x64xi8>, tensor<32x1xf32>
  %y = dsq.qmatmul %x scale %xs, %w scale %s {bits = 8 : i64}
      : (tensor<?x3x64xi8>, tensor<?x3x1xf32>, tensor<32x64xi8>, tensor<32x1xf32>) -> tensor<?x3x32xf32>
  return %y : tensor<?x3x32xf32>
}
