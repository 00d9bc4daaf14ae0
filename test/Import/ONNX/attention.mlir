// ONNX Attention (opset 23), from hand-built models (ONNX 1.12 has no
// schema for it; scripts/gen_onnx_fixtures.py, gen_attention).
// RUN: ds-translate --import-onnx %S/Inputs/attention_gqa.onnx | FileCheck %s --check-prefix=GQA
// RUN: ds-translate --import-onnx %S/Inputs/attention_causal.onnx | FileCheck %s --check-prefix=CAUSAL
// RUN: ds-translate --import-onnx %S/Inputs/attention_causal_offset.onnx | FileCheck %s --check-prefix=OFFSET
// RUN: ds-translate --import-onnx %S/Inputs/attention_3d.onnx | FileCheck %s --check-prefix=THREED
// RUN: not ds-translate --import-onnx %S/Inputs/attention_past.onnx 2>&1 | FileCheck %s --check-prefix=PAST
// RUN: not ds-translate --import-onnx %S/Inputs/attention_softcap.onnx 2>&1 | FileCheck %s --check-prefix=SOFTCAP
// RUN: not ds-translate --import-onnx %S/Inputs/attention_bad_heads.onnx 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not ds-translate --import-onnx %S/Inputs/attention_opset22.onnx 2>&1 | FileCheck %s --check-prefix=OLD

// Grouped-query attention with an additive mask and the default scale
// 1 / sqrt(8).
// GQA: func.func @main(%[[Q:.*]]: tensor<2x4x6x8xf32> {{.*}}, %[[K:.*]]: tensor<2x2x6x8xf32> {{.*}}, %[[V:.*]]: tensor<2x2x6x16xf32> {{.*}}, %[[M:.*]]: tensor<6x6xf32>
// GQA: %[[Y:.*]] = dsg.attention %[[Q]], %[[K]], %[[V]], %[[M]] {scale = 0.353553385 : f32} : (tensor<2x4x6x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x16xf32>, tensor<6x6xf32>) -> tensor<2x4x6x16xf32>
// GQA: return %[[Y]]

// Equal lengths: ONNX's top-left triangle is dsg's causal.
// CAUSAL: dsg.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, scale = 5.000000e-01 : f32} : (tensor<1x2x4x8xf16>, tensor<1x2x4x8xf16>, tensor<1x2x4x8xf16>) -> tensor<1x2x4x8xf16>

// 2 queries, 3 keys: the top-left triangle becomes a boolean mask, and-ed
// with the model's.
// OFFSET: %[[TRI:.*]] = dsg.constant dense<{{\[\[}}true, false, false], [true, true, false]]> : tensor<2x3xi1>
// OFFSET: %[[AND:.*]] = dsg.and %[[TRI]], %{{.*}} : (tensor<2x3xi1>, tensor<1x1x1x3xi1>) -> tensor<1x1x2x3xi1>
// OFFSET: dsg.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[AND]] {scale = 5.000000e-01 : f32}
// OFFSET-NOT: causal

// 3-D: heads split by reshape + transpose, merged back after.
// THREED: %[[Q4:.*]] = dsg.reshape %{{.*}} : (tensor<2x5x32xf32>) -> tensor<2x5x4x8xf32>
// THREED: %[[QT:.*]] = dsg.transpose %[[Q4]] {permutation = array<i64: 0, 2, 1, 3>} : tensor<2x5x4x8xf32> -> tensor<2x4x5x8xf32>
// THREED: %[[KT:.*]] = dsg.transpose {{.*}} -> tensor<2x1x7x8xf32>
// THREED: %[[VT:.*]] = dsg.transpose {{.*}} -> tensor<2x1x7x8xf32>
// THREED: %[[A:.*]] = dsg.attention %[[QT]], %[[KT]], %[[VT]] {scale = 0.353553385 : f32} {{.*}} -> tensor<2x4x5x8xf32>
// THREED: %[[M:.*]] = dsg.transpose %[[A]] {permutation = array<i64: 0, 2, 1, 3>} : tensor<2x4x5x8xf32> -> tensor<2x5x4x8xf32>
// THREED: %[[Y:.*]] = dsg.reshape %[[M]] : (tensor<2x5x4x8xf32>) -> tensor<2x5x32xf32>
// THREED: return %[[Y]]

// PAST: node 'attn_past' (Attention, opset 23){{.*}}the KV cache (past_key, past_value, present_key, present_value) is not supported yet
// SOFTCAP: node 'attn_softcap' (Attention, opset 23){{.*}}softcap 3.000000e+01 is not supported
// BAD: expected the key/value heads (2) to divide the query heads (3): query [1, 3, 4, 8], key [1, 2, 4, 8], value [1, 2, 4, 8]
// OLD: Attention{{.*}}opset 22{{.*}}ds handles it from opset 23
