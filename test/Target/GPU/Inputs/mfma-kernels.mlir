// Input of mfma-isa.test (linalg on tensors): an f32 matmul, an f16 batch
// matmul, a bf16 matmul with M = 40 (padded to 48) and a matmul the MFMA
// kernel does not take (N = 8).
func.func @main(%fa: tensor<64x64xf32>, %fb: tensor<64x64xf32>,
                %ha: tensor<2x32x16xf16>, %hb: tensor<2x16x32xf16>,
                %ba: tensor<40x32xbf16>, %bb: tensor<32x64xbf16>,
                %sa: tensor<32x32xf32>, %sb: tensor<32x8xf32>)
    -> (tensor<64x64xf32>, tensor<2x32x32xf32>, tensor<40x64xf32>,
        tensor<32x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64x64xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r0 = linalg.matmul ins(%fa, %fb : tensor<64x64xf32>, tensor<64x64xf32>)
                      outs(%z0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %e1 = tensor.empty() : tensor<2x32x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x32x32xf32>) -> tensor<2x32x32xf32>
  %r1 = linalg.batch_matmul ins(%ha, %hb : tensor<2x32x16xf16>, tensor<2x16x32xf16>)
                            outs(%z1 : tensor<2x32x32xf32>) -> tensor<2x32x32xf32>
  %e2 = tensor.empty() : tensor<40x64xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<40x64xf32>) -> tensor<40x64xf32>
  %r2 = linalg.matmul ins(%ba, %bb : tensor<40x32xbf16>, tensor<32x64xbf16>)
                      outs(%z2 : tensor<40x64xf32>) -> tensor<40x64xf32>
  %e3 = tensor.empty() : tensor<32x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<32x8xf32>) -> tensor<32x8xf32>
  %r3 = linalg.matmul ins(%sa, %sb : tensor<32x32xf32>, tensor<32x8xf32>)
                      outs(%z3 : tensor<32x8xf32>) -> tensor<32x8xf32>
  return %r0, %r1, %r2, %r3 : tensor<64x64xf32>, tensor<2x32x32xf32>, tensor<40x64xf32>, tensor<32x8xf32>
}
