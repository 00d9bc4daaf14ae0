// Input of tensor-core-ptx.test (linalg and dsg on tensors).
func.func @main(%a: tensor<64x64xbf16>, %b: tensor<64x64xbf16>,
                %ha: tensor<2x32x16xf16>, %hb: tensor<2x16x32xf16>,
                %fa: tensor<32x64xf32>, %fb: tensor<64x32xf32>,
                %q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>,
                %v: tensor<1x2x128x64xf16>)
    -> (tensor<64x64xf32>, tensor<2x32x32xf32>, tensor<32x32xf32>,
        tensor<1x2x128x64xf16>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64x64xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r0 = linalg.matmul ins(%a, %b : tensor<64x64xbf16>, tensor<64x64xbf16>)
                      outs(%z0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %e1 = tensor.empty() : tensor<2x32x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x32x32xf32>) -> tensor<2x32x32xf32>
  %r1 = linalg.batch_matmul ins(%ha, %hb : tensor<2x32x16xf16>, tensor<2x16x32xf16>)
                            outs(%z1 : tensor<2x32x32xf32>) -> tensor<2x32x32xf32>
  %e2 = tensor.empty() : tensor<32x32xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r2 = linalg.matmul ins(%fa, %fb : tensor<32x64xf32>, tensor<64x32xf32>)
                      outs(%z2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r3 = dsg.attention %q, %k, %v {scale = 0.125 : f32, causal = true}
      : (tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16>
  return %r0, %r1, %r2, %r3 : tensor<64x64xf32>, tensor<2x32x32xf32>, tensor<32x32xf32>, tensor<1x2x128x64xf16>
}
