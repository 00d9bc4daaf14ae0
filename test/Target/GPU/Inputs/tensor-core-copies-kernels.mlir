// Input of tensor-core-copies-ptx.test (linalg on tensors): a bf16 matmul
// whose operands are device buffers (pipelined cp.async copies), a bf16
// 3 × 3 convolution (the weight's rows are 288 bytes: 128-bit loads and
// shared stores; the input is gathered), and a 7 × 7-output convolution
// with K = 3 · 49 = 147 (N and K padded).
#conv = [affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh + kh, ow + kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
         affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>]
#iters = ["parallel", "parallel", "parallel", "parallel", "parallel",
          "reduction", "reduction", "reduction"]
func.func @main(%a: tensor<128x128xbf16>, %b: tensor<128x128xbf16>,
                %x: tensor<2x1x16x10x10xbf16>, %w: tensor<1x32x16x3x3xbf16>,
                %x7: tensor<1x1x3x13x13xbf16>, %w7: tensor<1x64x3x7x7xbf16>)
    -> (tensor<128x128xf32>, tensor<2x1x32x8x8xf32>, tensor<1x1x64x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<128x128xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %r0 = linalg.matmul ins(%a, %b : tensor<128x128xbf16>, tensor<128x128xbf16>)
                      outs(%z0 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %e1 = tensor.empty() : tensor<2x1x32x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x1x32x8x8xf32>) -> tensor<2x1x32x8x8xf32>
  %r1 = linalg.generic {indexing_maps = #conv, iterator_types = #iters}
      ins(%x, %w : tensor<2x1x16x10x10xbf16>, tensor<1x32x16x3x3xbf16>)
      outs(%z1 : tensor<2x1x32x8x8xf32>) {
  ^bb0(%xi: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %xi : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x1x32x8x8xf32>
  %e2 = tensor.empty() : tensor<1x1x64x7x7xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x1x64x7x7xf32>) -> tensor<1x1x64x7x7xf32>
  %r2 = linalg.generic {indexing_maps = #conv, iterator_types = #iters}
      ins(%x7, %w7 : tensor<1x1x3x13x13xbf16>, tensor<1x64x3x7x7xbf16>)
      outs(%z2 : tensor<1x1x64x7x7xf32>) {
  ^bb0(%xi: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %xi : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x64x7x7xf32>
  return %r0, %r1, %r2 : tensor<128x128xf32>, tensor<2x1x32x8x8xf32>, tensor<1x1x64x7x7xf32>
}
