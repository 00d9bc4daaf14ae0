// Calibration input generator with the wrong dtype (i32 instead of f32).
func.func @main() -> (tensor<8x64xi32> {ds.name = "x"}) {
  %x = dsg.constant dense<1> : tensor<8x64xi32>
  return %x : tensor<8x64xi32>
}
