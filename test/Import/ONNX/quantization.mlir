// RUN: ds-translate --import-onnx %S/Inputs/quantization.onnx | FileCheck %s

// QuantizeLinear per axis: the 1-D scale and zero point broadcast along
// axis 1; round half to even, add the zero point, saturate, convert.
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3xf32> {ds.name = "x"}, %[[QS:.*]]: tensor<3xf32> {ds.name = "qs"}, %[[QZ:.*]]: tensor<3xi8> {ds.name = "qz"}
// CHECK: %[[S:.*]] = dsg.reshape %[[QS]] : (tensor<3xf32>) -> tensor<1x3xf32>
// CHECK: %[[Z:.*]] = dsg.reshape %[[QZ]] : (tensor<3xi8>) -> tensor<1x3xi8>
// CHECK: %[[ZF:.*]] = dsg.cast %[[Z]] : tensor<1x3xi8> -> tensor<1x3xf32>
// CHECK: %[[D:.*]] = dsg.div %[[X]], %[[S]]
// CHECK: %[[R:.*]] = dsg.round %[[D]] : tensor<2x3xf32>
// CHECK: %[[A:.*]] = dsg.add %[[R]], %[[ZF]]
// CHECK: %[[LO:.*]] = dsg.constant dense<-1.280000e+02> : tensor<f32>
// CHECK: %[[MX:.*]] = dsg.max %[[A]], %[[LO]]
// CHECK: %[[HI:.*]] = dsg.constant dense<1.270000e+02> : tensor<f32>
// CHECK: %[[MN:.*]] = dsg.min %[[MX]], %[[HI]]
// CHECK: %[[Q:.*]] = dsg.cast %[[MN]] : tensor<2x3xf32> -> tensor<2x3xi8>
// DequantizeLinear: the zero point is subtracted in i32.
// CHECK: %[[QI:.*]] = dsg.cast %[[Q]] : tensor<2x3xi8> -> tensor<2x3xi32>
// CHECK: %[[DZ:.*]] = dsg.sub %[[QI]], %{{.*}} : (tensor<2x3xi32>, tensor<1x3xi32>) -> tensor<2x3xi32>
// CHECK: %[[DF:.*]] = dsg.cast %[[DZ]] : tensor<2x3xi32> -> tensor<2x3xf32>
// CHECK: %[[DQ:.*]] = dsg.mul %[[DF]], %{{.*}} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
// DynamicQuantizeLinear: the range includes 0.
// CHECK: dsg.reduce_min %[[X]] {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x3xf32> -> tensor<f32>
// CHECK: dsg.reduce_max %[[X]] {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x3xf32> -> tensor<f32>
// CHECK: %[[DYZ:.*]] = dsg.cast %{{.*}} : tensor<f32> -> tensor<ui8>
// CHECK: %[[DY:.*]] = dsg.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xui8>
// MatMulInteger: per-row zero points of A become a column.
// CHECK: %[[ZA:.*]] = dsg.reshape %{{.*}} : (tensor<2xui8>) -> tensor<2x1xui8>
// CHECK: %[[MMI:.*]] = dsg.matmul %{{.*}}, %{{.*}} : (tensor<2x4xi32>, tensor<4x3xi32>) -> tensor<2x3xi32>
// QLinearMatMul: the i32 product rescaled by a_scale * b_scale / y_scale.
// CHECK: dsg.matmul %{{.*}}, %{{.*}} : (tensor<2x4xi32>, tensor<4x3xi32>) -> tensor<2x3xi32>
// CHECK: dsg.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: dsg.div
// CHECK: %[[QMM:.*]] = dsg.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xui8>
// CHECK: return %[[Q]], %[[DQ]], %[[DY]], %{{.*}}, %[[DYZ]], %[[MMI]], %[[QMM]]

// RUN: not ds-translate --import-onnx %S/Inputs/quantize_int32.onnx 2>&1 | FileCheck %s --check-prefix=I32
// I32: error: node 'q32' (QuantizeLinear, opset 10): QuantizeLinear supports float scales and 8-bit outputs only

// RUN: ds-translate --import-onnx %S/Inputs/quantized_conv.onnx | FileCheck %s --check-prefix=CONV
// ConvInteger: the shifted input is padded with zeros (x's zero point).
// CONV: func.func @main(%[[X:.*]]: tensor<1x2x3x3xui8> {ds.name = "x"}, %[[W:.*]]: tensor<2x2x2x2xui8> {ds.name = "w"}
// CONV: %[[XI:.*]] = dsg.cast %[[X]] : tensor<1x2x3x3xui8> -> tensor<1x2x3x3xi32>
// CONV: %[[WI:.*]] = dsg.cast %[[W]] : tensor<2x2x2x2xui8> -> tensor<2x2x2x2xi32>
// CONV: %[[XS:.*]] = dsg.sub %[[XI]], %{{.*}} : (tensor<1x2x3x3xi32>, tensor<i32>) -> tensor<1x2x3x3xi32>
// CONV: %[[CI:.*]] = dsg.conv %[[XS]], %[[WI]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xi32>, tensor<2x2x2x2xi32>) -> tensor<1x2x4x4xi32>
// QLinearConv: per-output-channel w zero point and scale, i32 bias.
// CONV: dsg.reshape %{{.*}} : (tensor<2xui8>) -> tensor<2x1x1x1xui8>
// CONV: %[[ACC:.*]] = dsg.conv {{.*}} -> tensor<1x2x2x2xi32>
// CONV: dsg.reshape %{{.*}} : (tensor<2xi32>) -> tensor<1x2x1x1xi32>
// CONV: dsg.add %[[ACC]], %{{.*}} : (tensor<1x2x2x2xi32>, tensor<1x2x1x1xi32>) -> tensor<1x2x2x2xi32>
// CONV: dsg.reshape %{{.*}} : (tensor<2xf32>) -> tensor<1x2x1x1xf32>
// CONV: dsg.round
// CONV: %[[QC:.*]] = dsg.cast %{{.*}} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xui8>
// CONV: return %[[CI]], %[[QC]]
