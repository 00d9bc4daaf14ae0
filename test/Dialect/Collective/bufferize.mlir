// RUN: ds-opt %s -split-input-file -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

shard.grid @grid(shape = 4)

// The result gets a fresh identity-layout buffer; the operand is read in
// place.
// CHECK-LABEL: func.func @all_reduce
// CHECK-SAME: (%[[IN:.*]]: memref<8x16xf32>)
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}}: memref<8x16xf32>
// CHECK: dsc.all_reduce %[[IN]] into %[[OUT]] on @grid grid_axes = [0] algorithm = tree : memref<8x16xf32>, memref<8x16xf32>
// CHECK: return %[[OUT]]
func.func @all_reduce(%t: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = dsc.all_reduce %t on @grid grid_axes = [0] algorithm = tree : tensor<8x16xf32> -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

shard.grid @grid(shape = 4)

// A strided operand (a column slice) is copied into a contiguous buffer.
// CHECK-LABEL: func.func @strided
// CHECK: %[[SUB:.*]] = memref.subview
// CHECK: %[[TMP:.*]] = memref.alloc() {{.*}}: memref<8x2xf32>
// CHECK: memref.copy %[[SUB]], %[[TMP]]
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}}: memref<8x8xf32>
// CHECK: dsc.all_gather %[[TMP]] into %[[OUT]] on @grid grid_axes = [0] gather_axis = 1 : memref<8x2xf32>, memref<8x8xf32>
func.func @strided(%t: tensor<8x16xf32>) -> tensor<8x8xf32> {
  %s = tensor.extract_slice %t[0, 2] [8, 2] [1, 1] : tensor<8x16xf32> to tensor<8x2xf32>
  %0 = dsc.all_gather %s on @grid grid_axes = [0] gather_axis = 1 : tensor<8x2xf32> -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

shard.grid @grid(shape = 4)

// Dynamic result sizes follow the operand's, scaled by the group size.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = memref.dim %{{.*}}, %c0
// CHECK: %[[N:.*]] = arith.muli %[[D]], %c4
// CHECK: memref.alloc(%[[N]]) {{.*}}: memref<?x3xf32>
func.func @dynamic(%t: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 0 : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @p2p
// CHECK: dsc.send %{{.*}} to 1 tag = 2 : memref<4xf32>
// CHECK: %[[B:.*]] = memref.alloc() {{.*}}: memref<4xf32>
// CHECK: dsc.recv from 1 tag = 3 into %[[B]] : memref<4xf32>
// CHECK: return %[[B]]
func.func @p2p(%t: tensor<4xf32>) -> tensor<4xf32> {
  dsc.send %t to 1 tag = 2 : tensor<4xf32>
  %0 = dsc.recv from 1 tag = 3 -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
