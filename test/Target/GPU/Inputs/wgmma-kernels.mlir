// Input of warpgroup-matmul-ptx.test (linalg on tensors): a bf16 matmul
// (128 × 256 × 128: BN = 128, 2 × 2 blocks, 2 K steps), an f16 batch
// matmul with M = 100 (M padding, BN = 64), and an f16 matmul with K = 32,
// which the wgmma kernel does not take (mma.sync does).
func.func @main(%a: tensor<128x128xbf16>, %b: tensor<128x256xbf16>,
                %ha: tensor<2x100x64xf16>, %hb: tensor<2x64x64xf16>,
                %sa: tensor<32x32xf16>, %sb: tensor<32x32xf16>)
    -> (tensor<128x256xf32>, tensor<2x100x64xf32>, tensor<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<128x256xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r0 = linalg.matmul ins(%a, %b : tensor<128x128xbf16>, tensor<128x256xbf16>)
                      outs(%z0 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %e1 = tensor.empty() : tensor<2x100x64xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x100x64xf32>) -> tensor<2x100x64xf32>
  %r1 = linalg.batch_matmul ins(%ha, %hb : tensor<2x100x64xf16>, tensor<2x64x64xf16>)
                            outs(%z1 : tensor<2x100x64xf32>) -> tensor<2x100x64xf32>
  %e2 = tensor.empty() : tensor<32x32xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r2 = linalg.matmul ins(%sa, %sb : tensor<32x32xf16>, tensor<32x32xf16>)
                      outs(%z2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %r0, %r1, %r2 : tensor<128x256xf32>, tensor<2x100x64xf32>, tensor<32x32xf32>
}
