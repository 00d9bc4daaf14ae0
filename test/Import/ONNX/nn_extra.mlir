// NN ops that the importer decomposes into existing dsg ops (NNExtra.cpp).
// RUN: ds-translate --import-onnx %S/Inputs/nn_logsoftmax.onnx | FileCheck %s --check-prefix=LSM
// RUN: ds-translate --import-onnx %S/Inputs/nn_logsoftmax_11.onnx | FileCheck %s --check-prefix=LSM11
// RUN: ds-translate --import-onnx %S/Inputs/nn_clip.onnx | FileCheck %s --check-prefix=CLIP
// RUN: ds-translate --import-onnx %S/Inputs/nn_prelu_6.onnx | FileCheck %s --check-prefix=PRELU6
// RUN: ds-translate --import-onnx %S/Inputs/nn_clip_6.onnx | FileCheck %s --check-prefix=CLIP6
// RUN: ds-translate --import-onnx %S/Inputs/nn_mish.onnx | FileCheck %s --check-prefix=MISH
// RUN: not ds-translate --import-onnx %S/Inputs/nn_dropout_training.onnx 2>&1 | FileCheck %s --check-prefix=TRAIN
// RUN: ds-translate --import-onnx %S/Inputs/nn_dropout_zero_ratio.onnx | FileCheck %s --check-prefix=ZERO
// RUN: ds-translate --import-onnx %S/Inputs/nn_norm.onnx | FileCheck %s --check-prefix=NORM
// RUN: ds-translate --import-onnx %S/Inputs/nn_loss.onnx | FileCheck %s --check-prefix=LOSS
// RUN: ds-translate --import-onnx %S/Inputs/nn_einsum.onnx | FileCheck %s --check-prefix=EINSUM
// RUN: ds-translate --import-onnx %S/Inputs/nn_convtranspose.onnx | FileCheck %s --check-prefix=CT
// RUN: not ds-translate --import-onnx %S/Inputs/nn_einsum_broadcast.onnx 2>&1 | FileCheck %s --check-prefix=EBCAST
// RUN: not ds-translate --import-onnx %S/Inputs/nn_prelu_bad_slope.onnx 2>&1 | FileCheck %s --check-prefix=PBAD

// Broadcasting a label of size 1 is not supported (a SKIP, not a wrong result).
// EBCAST: node 'einsum_bcast' (Einsum, opset 12): label 'i' with different sizes (broadcasting) is not supported
// PBAD: node 'prelu_bad' (PRelu, opset 16): expected a slope that broadcasts to 'tensor<2x3xf32>', found 'tensor<2x3x1xf32>'

// LogSoftmax-13 (axis 1): (x - max) - log(sum(exp(x - max))).
// LSM:      func.func @main(%[[X:.*]]: tensor<2x3x4xf32>
// LSM:        %[[MAX:.*]] = dsg.reduce_max %[[X]] {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
// LSM:        %[[SH:.*]] = dsg.sub %[[X]], %[[MAX]]
// LSM:        %[[EXP:.*]] = dsg.exp %[[SH]]
// LSM:        %[[SUM:.*]] = dsg.reduce_sum %[[EXP]] {axes = array<i64: 1>}
// LSM:        %[[LOG:.*]] = dsg.log %[[SUM]]
// LSM:        %[[Y:.*]] = dsg.sub %[[SH]], %[[LOG]]
// Hardmax-13 (default axis -1): a one-hot of the first arg_max.
// LSM:        %[[ARG:.*]] = dsg.arg_max %[[X]] {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
// LSM:        %[[IOTA:.*]] = dsg.constant dense<{{\[\[\[}}0, 1, 2, 3]]]> : tensor<1x1x4xi64>
// LSM:        %[[HOT:.*]] = dsg.equal %[[ARG]], %[[IOTA]] : (tensor<2x3x1xi64>, tensor<1x1x4xi64>) -> tensor<2x3x4xi1>
// LSM:        %[[H:.*]] = dsg.cast %[[HOT]] : tensor<2x3x4xi1> -> tensor<2x3x4xf32>
// LSM:        return %[[Y]], %[[H]]

// LogSoftmax-11 works on the input flattened to 2-D at the axis (default 1).
// LSM11:      %[[FLAT:.*]] = dsg.reshape %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// LSM11:      dsg.reduce_max %[[FLAT]] {axes = array<i64: 1>}
// LSM11:      %[[LOG:.*]] = dsg.log
// LSM11:      %[[R:.*]] = dsg.sub %{{.*}}, %[[LOG]]
// LSM11:      %[[Y:.*]] = dsg.reshape %[[R]] : (tensor<2x12xf32>) -> tensor<2x3x4xf32>
// LSM11:      return %[[Y]]

// Clip-13 with a run-time lower bound and no upper bound; Dropout is the
// identity with an all-true mask; Celu = alpha * elu(x / alpha); PRelu
// selects slope * x where x < 0.
// CLIP:       func.func @main(%[[X:.*]]: tensor<2x3xf32> {ds.name = "x"}, %[[LO:.*]]: tensor<f32> {ds.name = "lo"}, %[[SLOPE:.*]]: tensor<3xf32>
// CLIP:         %[[C:.*]] = dsg.max %[[X]], %[[LO]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CLIP-NOT:     dsg.min
// CLIP:         %[[MASK:.*]] = dsg.constant dense<true> : tensor<2x3xi1>
// CLIP:         %[[A:.*]] = dsg.constant dense<2.000000e+00> : tensor<f32>
// CLIP:         %[[D:.*]] = dsg.div %[[C]], %[[A]]
// CLIP:         %[[E:.*]] = dsg.elu %[[D]] {alpha = 1.000000e+00 : f32}
// CLIP:         %[[CELU:.*]] = dsg.mul %[[E]], %[[A]]
// CLIP:         %[[NEG:.*]] = dsg.less %[[CELU]], %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
// CLIP:         %[[M:.*]] = dsg.mul %[[CELU]], %[[SLOPE]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CLIP:         %[[P:.*]] = dsg.where %[[NEG]], %[[M]], %[[CELU]]
// CLIP:         return %[[P]], %[[MASK]]

// PRelu-6: a slope [C] is per channel (dimension 1); the reshape of the
// constant slope folds at import.
// PRELU6:     %[[SC:.*]] = dsg.constant dense<{{\[}}[1.000000e-01], [2.000000e-01], [3.000000e-01]]> : tensor<3x1xf32>
// PRELU6-NOT: dsg.reshape
// PRELU6:     dsg.mul %{{.*}}, %[[SC]] : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>

// Clip-6 takes its bounds from attributes; an absent one is not applied.
// CLIP6:      %[[HI:.*]] = dsg.constant dense<1.500000e+00> : tensor<f32>
// CLIP6-NOT:  dsg.max
// CLIP6:      dsg.min %{{.*}}, %[[HI]]

// MISH:       %[[SP:.*]] = dsg.softplus %[[X:.*]] :
// MISH:       %[[T:.*]] = dsg.tanh %[[SP]]
// MISH:       dsg.mul %[[X]], %[[T]]

// TRAIN: node 'dropout_training' (Dropout, opset 13): training mode (random dropout) is not supported

// Training mode with a constant ratio of 0 drops nothing.
// ZERO:       func.func @main(%[[X:.*]]: tensor<2x3xf32> {ds.name = "x"})
// ZERO:         %[[MASK:.*]] = dsg.constant dense<true> : tensor<2x3xi1>
// ZERO:         return %[[X]], %[[MASK]]

// InstanceNormalization: statistics over the spatial axes; scale and bias
// reshaped to [C, 1, 1] (folded when they are constants).
// NORM:       %[[MEAN:.*]] = dsg.reduce_mean %{{.*}} {axes = array<i64: 2, 3>} : tensor<1x3x2x2xf32> -> tensor<1x3x1x1xf32>
// NORM:       %[[DIFF:.*]] = dsg.sub %{{.*}}, %[[MEAN]]
// NORM:       dsg.reduce_mean %{{.*}} {axes = array<i64: 2, 3>}
// NORM:       dsg.constant dense<0.00999999977> : tensor<f32>
// NORM:       dsg.sqrt
// The reshapes of the constant scale and bias fold at import.
// NORM:       dsg.constant {{.*}} : tensor<3x1x1xf32>
// NORM:       %[[IN:.*]] = dsg.add %{{.*}} : (tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
// MeanVarianceNormalization (default axes 0, 2, 3), as its function body.
// NORM:       %[[EX:.*]] = dsg.reduce_mean %[[IN]] {axes = array<i64: 0, 2, 3>}
// NORM:       dsg.constant dense<9.99999971E-10> : tensor<f32>
// NORM:       %[[MVN:.*]] = dsg.div
// LRN (size 3): the channel window sum is a convolution with ones.
// NORM:       %[[SQ:.*]] = dsg.mul %[[MVN]], %[[MVN]]
// NORM:       %[[V:.*]] = dsg.reshape %[[SQ]] : (tensor<1x3x2x2xf32>) -> tensor<1x1x3x4xf32>
// NORM:       %[[ONES:.*]] = dsg.constant dense<1.000000e+00> : tensor<1x1x3x1xf32>
// NORM:       dsg.conv %[[V]], %[[ONES]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 1, 1>}
// NORM:       dsg.constant dense<3.33333337E-5> : tensor<f32>
// NORM:       dsg.pow
// NORM:       %[[Y:.*]] = dsg.div %[[MVN]], %{{.*}}
// NORM:       return %[[Y]]

// NegativeLogLikelihoodLoss with weight, ignore_index 1, mean reduction: the
// target picks with a one-hot mask; ignored targets weigh 0.
// LOSS:       func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {ds.name = "x"}, %[[T:.*]]: tensor<2x4xi64> {ds.name = "t"}, %[[W:.*]]: tensor<3xf32> {ds.name = "w"})
// LOSS:         %[[TU:.*]] = dsg.reshape %[[T]] : (tensor<2x4xi64>) -> tensor<2x1x4xi64>
// LOSS:         %[[IOTA:.*]] = dsg.constant dense<{{\[\[\[}}0], [1], [2]]]> : tensor<1x3x1xi64>
// LOSS:         %[[HOT:.*]] = dsg.equal %[[TU]], %[[IOTA]] : (tensor<2x1x4xi64>, tensor<1x3x1xi64>) -> tensor<2x3x4xi1>
// LOSS:         %[[PICK:.*]] = dsg.where %[[HOT]], %[[X]], %{{.*}}
// LOSS:         dsg.reduce_sum %[[PICK]] {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
// LOSS:         %[[NLL:.*]] = dsg.neg
// LOSS:         dsg.where %[[HOT]], %{{.*}}, %{{.*}} : (tensor<2x3x4xi1>, tensor<3x1xf32>, tensor<f32>) -> tensor<2x3x4xf32>
// LOSS:         %[[II:.*]] = dsg.constant dense<1> : tensor<i64>
// LOSS:         %[[IGN:.*]] = dsg.equal %[[T]], %[[II]]
// LOSS:         %[[GW:.*]] = dsg.where %[[IGN]]
// LOSS:         %[[L:.*]] = dsg.mul %[[GW]], %[[NLL]]
// LOSS:         %[[DEN:.*]] = dsg.reduce_sum %[[GW]] {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x4xf32> -> tensor<f32>
// LOSS:         %[[NUM:.*]] = dsg.reduce_sum %[[L]] {axes = array<i64: 0, 1>, keepdims = false}
// LOSS:         %[[MEAN:.*]] = dsg.div %[[NUM]], %[[DEN]]
// SoftmaxCrossEntropyLoss (sum): log_softmax along axis 1, then the same.
// LOSS:         dsg.reduce_max %[[X]] {axes = array<i64: 1>}
// LOSS:         %[[LSE:.*]] = dsg.log
// LOSS:         %[[LOGP:.*]] = dsg.sub %{{.*}}, %[[LSE]]
// LOSS:         dsg.where %{{.*}}, %[[LOGP]], %{{.*}}
// LOSS:         dsg.neg
// LOSS:         %[[SCE:.*]] = dsg.reduce_sum %{{.*}} {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x4xf32> -> tensor<f32>
// LOSS:         return %[[MEAN]], %[[SCE]], %[[LOGP]]

// Einsum: operands aligned on (output labels, summed labels), multiplied and
// summed; a repeated label takes the diagonal with a mask. An ellipsis
// names the leading dimensions.
// EINSUM:     func.func @main(%[[A:.*]]: tensor<2x3x4xf32> {ds.name = "a"}, %[[B:.*]]: tensor<2x4x5xf32> {ds.name = "b"}, %[[C:.*]]: tensor<2x3x3xf32> {ds.name = "c"})
// EINSUM:       %[[A2:.*]] = dsg.reshape %[[A]] : (tensor<2x3x4xf32>) -> tensor<2x3x1x4xf32>
// EINSUM:       %[[BT:.*]] = dsg.transpose %[[B]] {permutation = array<i64: 0, 2, 1>}
// EINSUM:       %[[B2:.*]] = dsg.reshape %[[BT]] : (tensor<2x5x4xf32>) -> tensor<2x1x5x4xf32>
// EINSUM:       %[[P:.*]] = dsg.mul %[[A2]], %[[B2]] : (tensor<2x3x1x4xf32>, tensor<2x1x5x4xf32>) -> tensor<2x3x5x4xf32>
// EINSUM:       %[[MM:.*]] = dsg.reduce_sum %[[P]] {axes = array<i64: 3>, keepdims = false} : tensor<2x3x5x4xf32> -> tensor<2x3x5xf32>
// The diagonal mask (an equal of two constant iotas) folds at import.
// EINSUM:       %[[EYE:.*]] = dsg.constant dense<{{\[\[\[}}true, false, false], [false, true, false], [false, false, true]]]> : tensor<1x3x3xi1>
// EINSUM:       %[[M:.*]] = dsg.where %[[EYE]], %[[C]], %{{.*}}
// EINSUM:       %[[DIAG:.*]] = dsg.reduce_sum %[[M]] {axes = array<i64: 2>, keepdims = false} : tensor<2x3x3xf32> -> tensor<2x3xf32>
// An implicit output keeps the ellipsis dimensions, then the labels in
// alphabetical order (here the identity).
// EINSUM-NOT:   dsg.transpose
// EINSUM:       return %[[MM]], %[[DIAG]], %[[A]]

// ConvTranspose (stride 2, pads [1, 0], output_padding 1): the input is
// gathered into its zero-interleaved, padded form (index 3 is the appended
// zero slot) and convolved with the rearranged, flipped weight.
// CT:         func.func @main(%[[X:.*]]: tensor<1x2x3xf32> {ds.name = "x"}, %[[W:.*]]: tensor<2x1x3xf32> {ds.name = "w"}) -> (tensor<1x1x7xf32>
// CT:           %[[Z:.*]] = dsg.constant dense<0.000000e+00> : tensor<1x2x1xf32>
// CT:           %[[CAT:.*]] = dsg.concat %[[X]], %[[Z]] {axis = 2 : i64}
// CT:           %[[IDX:.*]] = dsg.constant dense<[3, 0, 3, 1, 3, 2, 3, 3, 3]> : tensor<9xi64>
// CT:           %[[UP:.*]] = dsg.gather %[[CAT]], %[[IDX]] {axis = 2 : i64} : (tensor<1x2x4xf32>, tensor<9xi64>) -> tensor<1x2x9xf32>
// CT:           dsg.reshape %[[W]] : (tensor<2x1x3xf32>) -> tensor<1x2x1x3xf32>
// CT:           dsg.transpose %{{.*}} {permutation = array<i64: 0, 2, 1, 3>}
// CT:           %[[WM:.*]] = dsg.reshape %{{.*}} : (tensor<1x1x2x3xf32>) -> tensor<1x2x3xf32>
// CT:           %[[REV:.*]] = dsg.constant dense<[2, 1, 0]> : tensor<3xi64>
// CT:           %[[WF:.*]] = dsg.gather %[[WM]], %[[REV]] {axis = 2 : i64}
// CT:           %[[Y:.*]] = dsg.conv %[[UP]], %[[WF]] {dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x9xf32>, tensor<1x2x3xf32>) -> tensor<1x1x7xf32>
// CT:           return %[[Y]]
