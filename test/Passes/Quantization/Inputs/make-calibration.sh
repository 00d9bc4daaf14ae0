#!/bin/sh
# Usage: make-calibration.sh INPUTS_DIR OUT_DIR
# Writes calibration folders from the generator modules (ds-run writes their
# outputs as .pb files, renamed to the input_<i>.pb of a test_data_set):
#   OUT/good/set0, OUT/good/set1   two sets of the right type
#   OUT/badshape                   a [4, 64] input for an [8, 64] model
#   OUT/baddtype                   an i32 input for an f32 model
#   OUT/two                        two input files for a one-input model
#   OUT/badname                    input_x.pb
#   OUT/empty                      no input at all
set -e
in=$1
out=$2
gen() { # generator folder
  ds-run "$in/calib-$1.mlir" --output-dir "$out/tmp-$1" > /dev/null
  mkdir -p "$2"
  mv "$out/tmp-$1/output_0.pb" "$2/input_0.pb"
  rm -r "$out/tmp-$1"
}
gen set0 "$out/good/set0"
gen set1 "$out/good/set1"
gen badshape "$out/badshape"
gen int "$out/baddtype"
mkdir -p "$out/two" "$out/badname" "$out/empty/sub"
cp "$out/good/set0/input_0.pb" "$out/two/input_0.pb"
cp "$out/good/set1/input_0.pb" "$out/two/input_1.pb"
cp "$out/good/set0/input_0.pb" "$out/badname/input_x.pb"
