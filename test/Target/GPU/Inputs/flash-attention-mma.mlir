// Attention ops the tensor-core flash-attention kernel takes, for
// flash-attention-ptx.test: causal GQA bf16 with D = 128 and Lq, Lk not
// multiples of the 64-row tiles; f16 with D = 64, a boolean mask.
func.func @bf16_d128(%q: tensor<1x8x200x128xbf16>, %k: tensor<1x2x200x128xbf16>,
                     %v: tensor<1x2x200x128xbf16>) -> tensor<1x8x200x128xbf16> {
  %0 = dsg.attention %q, %k, %v {scale = 0.08838834764 : f32, causal = true}
      : (tensor<1x8x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>) -> tensor<1x8x200x128xbf16>
  return %0 : tensor<1x8x200x128xbf16>
}

func.func @f16_d64(%q: tensor<2x4x128x64xf16>, %k: tensor<2x4x96x64xf16>,
                   %v: tensor<2x4x96x64xf16>, %m: tensor<2x1x1x96xi1>) -> tensor<2x4x128x64xf16> {
  %0 = dsg.attention %q, %k, %v, %m {scale = 0.125 : f32}
      : (tensor<2x4x128x64xf16>, tensor<2x4x96x64xf16>, tensor<2x4x96x64xf16>, tensor<2x1x1x96xi1>) -> tensor<2x4x128x64xf16>
  return %0 : tensor<2x4x128x64xf16>
}
