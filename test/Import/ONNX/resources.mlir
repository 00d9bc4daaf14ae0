// RUN: ds-translate --import-onnx %S/Inputs/large_initializer.onnx | FileCheck %s
// RUN: ds-translate --import-onnx %S/Inputs/large_initializer.onnx --onnx-resource-threshold=2048 | FileCheck %s --check-prefix=INLINE

// A 1 KiB initializer reaches the default threshold: it is a blob in the
// trailing resource section, not a literal.
// CHECK-LABEL: func.func @main
// CHECK:       %[[W:.*]] = dsg.constant dense_resource<w> : tensor<16x16xf32>
// CHECK:       dsg.add %arg0, %[[W]]
// CHECK:       dialect_resources: {
// CHECK-NEXT:    builtin: {
// The blob starts with its alignment (8), then 0.0, 1.0, 2.0 as f32.
// CHECK-NEXT:      w: "0x08000000000000000000803F00000040

// Below the threshold it is an inline literal (printed in hex at this size).
// INLINE: dsg.constant dense<"0x000000000000803F00000040{{.*}}"> : tensor<16x16xf32>
// INLINE-NOT: dense_resource
