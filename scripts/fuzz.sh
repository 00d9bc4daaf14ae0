#!/usr/bin/env bash
# Builds one libFuzzer target in the sanitizer build (the `asan` preset) and
# runs it for a bounded time; see docs/reliability.md.
#
#   scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   scripts/fuzz.sh list
#
# TARGET: onnx-import | tensor-reader | capi-compile | topology (the
# `-fuzzer` suffix may be given too). SECONDS defaults to 60.
#
# The working corpus lives in build-asan/fuzz/corpus/TARGET: seeded on first
# use from the committed seeds (fuzz/seeds/TARGET), the repository's test
# fixtures and the ONNX test data (/usr/share/libonnx-testdata), none of which
# are copied into git. A crashing, leaking or hanging input is copied to
# fuzz/crashes/TARGET/ (tracked), the run's log next to it; turn each into a
# lit test under test/Regression/ and fix the bug (docs/reliability.md).
# Exit status: 0 when the run ended without a finding, 1 otherwise.
# The fuzzer runs at nice 10 so that it yields to builds on a shared machine;
# DS_FUZZ_NICE=0 gives it a normal share (the rates in docs/reliability.md
# say which was used).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${DS_ASAN_BUILD_DIR:-build-asan}
TARGETS="onnx-import tensor-reader capi-compile topology"

if [ "${1:-}" = list ] || [ $# -lt 1 ]; then
  echo "targets: $TARGETS"
  [ $# -ge 1 ] || exit 2
  exit 0
fi
NAME=${1%-fuzzer}
SECONDS_TO_RUN=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
FUZZER=$NAME-fuzzer

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake --preset asan >/dev/null
fi
nice -n 10 ninja -C "$BUILD" -j "${DS_JOBS:-2}" "$FUZZER" >/dev/null

CORPUS=$BUILD/fuzz/corpus/$NAME
SEEDS=fuzz/seeds/$NAME
DICT=fuzz/dicts/$NAME.dict
# capi-compile compiles and links every valid model (about a second each):
# its inputs stay small (the seeds are at most 16 KiB).
MAX_LEN=1048576
[ "$NAME" = capi-compile ] && MAX_LEN=16384
# Crashing inputs, from the run or from the seed merge below.
ARTIFACTS=$BUILD/fuzz/artifacts/$NAME
mkdir -p "$CORPUS" "$ARTIFACTS"
if [ -z "$(ls -A "$CORPUS")" ]; then
  # Seeds are copied under content hashes, so the same file found twice is
  # stored once.
  SEED_DIR=$CORPUS
  add_seed() { cp "$1" "$SEED_DIR/$(sha1sum "$1" | cut -c1-40)"; }
  case $NAME in
    capi-compile)
      # A small, diverse set instead of all ~1,200 models (which took this
      # target over 20 minutes to replay): one model per distinct operator
      # set (fuzz/pick-onnx-seeds.py), minimized with libFuzzer's -merge=1
      # to the ones that add coverage.
      SEED_DIR=$BUILD/fuzz/candidates/$NAME
      rm -rf "$SEED_DIR" && mkdir -p "$SEED_DIR"
      [ -d "$SEEDS" ] && for f in "$SEEDS"/*; do add_seed "$f"; done
      while IFS= read -r f; do add_seed "$f"; done < <(
        /usr/bin/python3 fuzz/pick-onnx-seeds.py --max-bytes "$MAX_LEN" \
          test /usr/share/libonnx-testdata 2>/dev/null ||
        find test /usr/share/libonnx-testdata -name '*.onnx' -size -16k 2>/dev/null)
      echo "merging $(ls "$SEED_DIR" | wc -l) candidate seeds into $CORPUS" \
           "(log in $BUILD/fuzz/$NAME-merge.log)"
      ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
        nice -n "${DS_FUZZ_NICE:-10}" "$BUILD/bin/$FUZZER" -merge=1 -timeout=30 \
        -rss_limit_mb=4096 -max_len="$MAX_LEN" -artifact_prefix="$ARTIFACTS/" \
        "$CORPUS" "$SEED_DIR" \
        >"$BUILD/fuzz/$NAME-merge.log" 2>&1 ||
        { echo "merge failed; see $BUILD/fuzz/$NAME-merge.log"; exit 1; } ;;
    onnx-import)
      [ -d "$SEEDS" ] && for f in "$SEEDS"/*; do add_seed "$f"; done
      while IFS= read -r -d '' f; do add_seed "$f"; done < <(
        find test /usr/share/libonnx-testdata -name '*.onnx' -size -256k -print0 2>/dev/null) ;;
    tensor-reader)
      [ -d "$SEEDS" ] && for f in "$SEEDS"/*; do add_seed "$f"; done
      while IFS= read -r -d '' f; do add_seed "$f"; done < <(
        find test /usr/share/libonnx-testdata \( -name '*.pb' -o -name '*.npy' \) \
          -size -64k -print0 2>/dev/null) ;;
    topology)
      [ -d "$SEEDS" ] && for f in "$SEEDS"/*; do add_seed "$f"; done
      while IFS= read -r -d '' f; do add_seed "$f"; done < <(
        find examples/topologies test/Tools/ds-sim \( -name '*.json' -o -name '*.yaml' \) \
          -size -64k -print0 2>/dev/null) ;;
  esac
  echo "seeded $CORPUS with $(ls "$CORPUS" | wc -l) inputs"
fi

FLAGS=(-max_total_time="$SECONDS_TO_RUN" -timeout=30 -rss_limit_mb=4096
       -max_len="$MAX_LEN" -print_final_stats=1 -artifact_prefix="$ARTIFACTS/")
[ -f "$DICT" ] && FLAGS+=(-dict="$DICT")
LOG=$BUILD/fuzz/$NAME.log
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
echo "running $FUZZER for ${SECONDS_TO_RUN}s, log in $LOG"
set +e
nice -n "${DS_FUZZ_NICE:-10}" "$BUILD/bin/$FUZZER" "${FLAGS[@]}" "$@" "$CORPUS" >"$LOG" 2>&1
RC=$?
set -e
grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^stat::|^Done ' "$LOG" || true

FOUND=0
for f in "$ARTIFACTS"/*; do
  [ -f "$f" ] || continue
  case $(basename "$f") in
    slow-unit-*)
      # Informational (an input over 10 s, e.g. a big model on a loaded
      # machine), not a hang: hangs are -timeout=30 and leave timeout-*.
      echo "note: $(basename "$f") took over 10 s (not a finding)"
      rm "$f"
      continue ;;
  esac
  FOUND=1
  mkdir -p "fuzz/crashes/$NAME"
  base=$(basename "$f")
  cp "$f" "fuzz/crashes/$NAME/$base"
  cp "$LOG" "fuzz/crashes/$NAME/$base.log"
  rm "$f"
  echo "FINDING: fuzz/crashes/$NAME/$base (log: fuzz/crashes/$NAME/$base.log)"
  echo "  reproduce: $BUILD/bin/$FUZZER fuzz/crashes/$NAME/$base"
done
if [ $RC -ne 0 ] || [ $FOUND -ne 0 ]; then
  echo "$FUZZER: finding (exit $RC); see $LOG"
  exit 1
fi
echo "$FUZZER: no finding in ${SECONDS_TO_RUN}s"
