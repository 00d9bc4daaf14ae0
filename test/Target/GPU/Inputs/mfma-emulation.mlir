// Input of mfma-emulation.test: matmuls on buffers covering the kernel's
// shapes (several blocks, four waves, several K steps, batch, partial M).
func.func @f32_4waves(%a: memref<128x64xf32>, %b: memref<64x64xf32>, %c: memref<128x64xf32>) {
  linalg.matmul ins(%a, %b : memref<128x64xf32>, memref<64x64xf32>) outs(%c : memref<128x64xf32>)
  return
}
func.func @f32_partial_m(%a: memref<40x8xf32>, %b: memref<8x32xf32>, %c: memref<40x32xf32>) {
  linalg.matmul ins(%a, %b : memref<40x8xf32>, memref<8x32xf32>) outs(%c : memref<40x32xf32>)
  return
}
func.func @f16_batch(%a: memref<2x32x32xf16>, %b: memref<2x32x32xf16>, %c: memref<2x32x32xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<2x32x32xf16>, memref<2x32x32xf16>) outs(%c : memref<2x32x32xf32>)
  return
}
func.func @bf16_partial_m(%a: memref<20x48xbf16>, %b: memref<48x48xbf16>, %c: memref<20x48xf32>) {
  linalg.matmul ins(%a, %b : memref<20x48xbf16>, memref<48x48xbf16>) outs(%c : memref<20x48xf32>)
  return
}
