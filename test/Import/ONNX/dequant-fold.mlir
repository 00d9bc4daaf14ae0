// RUN: ds-translate --import-onnx %S/Inputs/dequant_fold.onnx | FileCheck %s
// RUN: ds-translate --import-onnx %S/Inputs/dequant_fold.onnx | FileCheck %s --check-prefix=DQNONE
// Fixture: scripts/gen_onnx_fixtures.py (gen_dequant_fold).
//
// DequantizeLinear of a constant int8 weight with zero point absent or 0,
// per tensor or per output channel, feeding MatMul / Gemm / Conv: the weight
// stays int8 in a dsq.weight and the product is weight-only dsq.

// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x4xf32> {ds.name = "x"}
// CHECK-SAME: %[[XC:[^:]*]]: tensor<1x2x3x3xf32> {ds.name = "xc"}

// fold_matmul: per column (axis 1) of the [K, N] weight, transposed to [N, K].
// CHECK: %[[W0:.*]], %[[S0:.*]] = dsq.weight {bits = 8 : i64, group_size = 4 : i64, scales = dense<{{\[}}[5.000000e-01], [2.500000e-01], [1.250000e-01]]> : tensor<3x1xf32>, values = dense<{{\[}}[-15, -41, 40, 124], [9, 114, -33, -81], [4, -34, -13, 33]]> : tensor<3x4xi8>}
// CHECK: %[[M:.*]] = dsq.qmatmul %[[X]], %[[W0]] scale %[[S0]] {bits = 8 : i64} : (tensor<2x4xf32>, tensor<3x4xi8>, tensor<3x1xf32>) -> tensor<2x3xf32>
// fold_gemm: per tensor, explicit zero point 0, C as the bias.
// CHECK: %[[W1:.*]], %[[S1:.*]] = dsq.weight {{.*}}scales = dense<5.000000e-01> : tensor<3x1xf32>
// other_user: the same weight also feeds a Relu, which gets the f32
// constant f32(q) * 0.5 in the ONNX [K, N] layout (nothing at run time).
// CHECK: %[[DQ:.*]] = dsg.constant dense<{{\[}}[-7.500000e+00, 4.500000e+00, 2.000000e+00], [-2.050000e+01, 5.700000e+01, -1.700000e+01], [2.000000e+01, -1.650000e+01, -6.500000e+00], [6.200000e+01, -4.050000e+01, 1.650000e+01]]> : tensor<4x3xf32>
// CHECK: %[[C:.*]] = dsg.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: %[[G:.*]] = dsq.qmatmul %[[X]], %[[W1]] scale %[[S1]] bias %[[C]] {bits = 8 : i64}
// CHECK: %[[RELU:.*]] = dsg.relu %[[DQ]] : tensor<4x3xf32>
// fold_conv: per output channel (axis 0), [F, C, KH, KW] as [F, C*KH*KW].
// CHECK: %[[WC:.*]], %[[SC:.*]] = dsq.weight {bits = 8 : i64, group_size = 8 : i64, scales = dense<{{\[}}[5.000000e-01], [2.000000e+00]]> : tensor<2x1xf32>
// CHECK: %[[BC:.*]] = dsg.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[CV:.*]] = dsq.qconv %[[XC]], %[[WC]] scale %[[SC]] bias %[[BC]] {bits = 8 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x8xi8>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// No dequantized copy is left behind.
// CHECK-NOT: dsq.dequantize
// DQNONE-NOT: dsq.dequantize
// keep_zp, keep_u8, keep_rows (a nonzero zero point, uint8, per-row scales
// of a [K, N] weight): the float product on the dsg dequantization.
// CHECK-NOT: dsq.
// CHECK: %[[K0:.*]] = dsg.matmul %[[X]], %{{.*}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK-NOT: dsq.
// CHECK: %[[K1:.*]] = dsg.matmul %[[X]], %{{.*}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK-NOT: dsq.
// CHECK: %[[K2:.*]] = dsg.matmul %[[X]], %{{.*}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[M]], %[[G]], %[[CV]], %[[K0]], %[[K1]], %[[K2]], %[[RELU]]

// The import says nothing about what does not fold.
// RUN: ds-translate --import-onnx %S/Inputs/dequant_fold.onnx -o /dev/null 2>&1 | count 0
