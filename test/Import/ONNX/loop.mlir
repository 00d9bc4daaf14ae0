// ONNX Loop becomes scf.while around the imported body (lib/Import/ONNX/Loop.cpp).
// Fixtures: scripts/gen_onnx_fixtures_conformance.py (gen_loop).
// RUN: ds-translate --import-onnx %S/Inputs/loop.onnx | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[M:.*]]: tensor<i64> {ds.name = "m"}, %[[C:.*]]: tensor<i1> {ds.name = "cond"}, %[[S0:.*]]: tensor<2xf32> {ds.name = "s0"}, %[[V:.*]]: tensor<2xf32> {ds.name = "v"}, %[[LIMIT:.*]]: tensor<f32> {ds.name = "limit"})
// CHECK-SAME: -> (tensor<2xf32> {ds.name = "s_final"}, tensor<?x2xf32> {ds.name = "rows"})
// CHECK-DAG: %[[TRIPS:.*]] = tensor.extract %[[M]][] : tensor<i64>
// CHECK-DAG: %[[COND:.*]] = tensor.extract %[[C]][] : tensor<i1>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[EMPTY:.*]] = tensor.empty(%{{.*}}) : tensor<?x2xf32>
// CHECK: %[[LOOP:.*]]:4 = scf.while (%[[I:.*]] = %[[ZERO]], %[[GO:.*]] = %[[COND]], %[[S:.*]] = %[[S0]], %[[ROWS:.*]] = %[[EMPTY]])
// CHECK-SAME: : (i64, i1, tensor<2xf32>, tensor<?x2xf32>) -> (i64, i1, tensor<2xf32>, tensor<?x2xf32>)
// The loop runs while cond && i < M.
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[I]], %[[TRIPS]] : i64
// CHECK: %[[BOTH:.*]] = arith.andi %[[GO]], %[[IN]] : i1
// CHECK: scf.condition(%[[BOTH]]) %[[I]], %[[GO]], %[[S]], %[[ROWS]]
// CHECK: } do {
// CHECK: ^bb0(%[[BI:.*]]: i64, %{{.*}}: i1, %[[BS:.*]]: tensor<2xf32>, %[[BROWS:.*]]: tensor<?x2xf32>):
// CHECK: %[[ITER:.*]] = tensor.from_elements %[[BI]] : tensor<i64>
// The body uses the enclosing graph's values directly.
// CHECK: %[[NEXT:.*]] = dsg.add %[[BS]], %[[V]]
// CHECK: %[[TOTAL:.*]] = dsg.reduce_sum %[[NEXT]]
// CHECK: %[[LESS:.*]] = dsg.less %[[TOTAL]], %[[LIMIT]]
// CHECK: %[[IF:.*]] = dsg.cast %[[ITER]] : tensor<i64> -> tensor<f32>
// CHECK: %[[ROW:.*]] = dsg.mul %[[NEXT]], %[[IF]]
// CHECK: %[[NEXTCOND:.*]] = tensor.extract %[[LESS]][] : tensor<i1>
// CHECK: %[[INC:.*]] = arith.addi %[[BI]], %{{.*}} : i64
// The scan output grows by one row.
// CHECK: %[[N:.*]] = tensor.dim %[[BROWS]], %{{.*}} : tensor<?x2xf32>
// CHECK: %[[N1:.*]] = arith.addi %[[N]], %{{.*}} : index
// CHECK: %[[GROWN:.*]] = tensor.empty(%[[N1]]) : tensor<?x2xf32>
// CHECK: %[[OLD:.*]] = tensor.insert_slice %[[BROWS]] into %[[GROWN]][0, 0] [%[[N]], 2] [1, 1]
// CHECK: %[[NEW:.*]] = tensor.insert_slice %[[ROW]] into %[[OLD]][%[[N]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<?x2xf32>
// CHECK: scf.yield %[[INC]], %[[NEXTCOND]], %[[NEXT]], %[[NEW]] : i64, i1, tensor<2xf32>, tensor<?x2xf32>
// CHECK: return %[[LOOP]]#2, %[[LOOP]]#3 : tensor<2xf32>, tensor<?x2xf32>

// Numerics against a Python reference of Loop's semantics: the body's
// condition ends the loop after 6 of 10 allowed iterations (set 0), the trip
// count after 3 (set 1). The dynamic scan output makes a version 3 artifact.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-translate --target=cpu %S/Inputs/loop.onnx -o %t/loop.so
// RUN: ds-run %t/loop.so --test-data %S/Inputs/loop_data/test_data_set_0 --print-outputs | FileCheck %s --check-prefix=RUN6
// RUN: ds-run %t/loop.so --test-data %S/Inputs/loop_data/test_data_set_1 --print-outputs | FileCheck %s --check-prefix=RUN3
// RUN6: output 'rows': float32[6, 2]
// RUN6: output 's_final': max_abs_err={{.*}} PASS
// RUN6: output 'rows': max_abs_err={{.*}} PASS
// RUN6-NEXT: {{^PASS$}}
// RUN3: output 'rows': float32[3, 2]
// RUN3: output 's_final': max_abs_err={{.*}} PASS
// RUN3: output 'rows': max_abs_err={{.*}} PASS
// RUN3-NEXT: {{^PASS$}}

// Without a trip count only the body's condition ends the loop: no
// comparison with M.
// RUN: ds-translate --import-onnx %S/Inputs/loop_while.onnx | FileCheck %s --check-prefix=WHILE
// WHILE: scf.while (%{{.*}} = %{{.*}}, %[[GO:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// WHILE-NOT: arith.cmpi
// WHILE: scf.condition(%[[GO]])
// RUN: ds-translate --target=cpu %S/Inputs/loop_while.onnx -o %t/while.so
// RUN: ds-run %t/while.so --test-data %S/Inputs/loop_while_data/test_data_set_0 --print-outputs | FileCheck %s --check-prefix=RUN6

// Loops compile for the CPU without --shard only; elsewhere they are
// unsupported (exit 3), with the op named.
// RUN: ds-translate --target=cpu %S/Inputs/loop_carried_only.onnx -o %t/carried.so
// RUN: sh -c 'ds-translate --target=cuda --emit=ptx %S/Inputs/loop_carried_only.onnx -o %t/carried.ptx 2>/dev/null; test $? -eq 3'
// RUN: not ds-translate --target=cuda --emit=ptx %S/Inputs/loop_carried_only.onnx -o %t/carried.ptx 2>&1 | FileCheck %s --check-prefix=OFFCPU
// RUN: sh -c 'ds-translate --target=cpu --shard=tp=2 %S/Inputs/loop_carried_only.onnx -o %t/carried2.so 2>/dev/null; test $? -eq 3'
// RUN: not ds-translate --target=cpu --shard=tp=2 %S/Inputs/loop_carried_only.onnx -o %t/carried2.so 2>&1 | FileCheck %s --check-prefix=OFFCPU
// OFFCPU: error: 'scf.while' op comes from an ONNX Loop; loops are supported on the CPU target without --shard only

// Malformed loops are invalid (exit 1); a loop-carried value whose type
// changes is unsupported (exit 3). Each names the node.
// RUN: not ds-translate --import-onnx %S/Inputs/loop_bad_body.onnx 2>&1 | FileCheck %s --check-prefix=BODY
// BODY: error: node 'loop_short' (Loop, opset 13): expected a body of 3 inputs (iteration number, condition and 1 loop-carried values), found 2
// RUN: not ds-translate --import-onnx %S/Inputs/loop_float_trip_count.onnx 2>&1 | FileCheck %s --check-prefix=TRIP
// TRIP: error: node 'loop_float' (Loop, opset 13): expected the trip count M to be a one-element 'i64' tensor, found 'tensor<f32>'
// RUN: sh -c 'ds-translate --import-onnx %S/Inputs/loop_carried_grows.onnx 2>/dev/null; test $? -eq 3'
// RUN: not ds-translate --import-onnx %S/Inputs/loop_carried_grows.onnx 2>&1 | FileCheck %s --check-prefix=GROW
// GROW: error: node 'loop_grow' (Loop, opset 13): loop-carried value 0 changes type from 'tensor<2xf32>' to 'tensor<4xf32>' in the body; ds needs one type across iterations
// RUN: sh -c 'ds-translate --import-onnx %S/Inputs/loop_uint8.onnx 2>/dev/null; test $? -eq 3'
// RUN: not ds-translate --import-onnx %S/Inputs/loop_uint8.onnx 2>&1 | FileCheck %s --check-prefix=UINT
// UINT: error: node 'loop_uint8' (Loop, opset 13): loop-carried value 0 has type 'tensor<2xui8>'; ds carries signless and float tensors through loops only
// RUN: not ds-translate --import-onnx %S/Inputs/loop_no_body.onnx 2>&1 | FileCheck %s --check-prefix=NOBODY
// NOBODY: error: {{.*}}'body' is missing
