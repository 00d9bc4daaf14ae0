#!/usr/bin/env bash
# run-fuzz-crashes.sh BIN CRASHES: runs BIN/TARGET-fuzzer once over every
# file in CRASHES/TARGET/ (no mutation) and prints a line per target.
set -uo pipefail
bin=$1 crashes=$2
status=0
for dir in "$crashes"/*/; do
  target=$(basename "$dir")
  echo "== $target"
  files=()
  for f in "$dir"*; do
    case $f in *.log) ;; *) [ -f "$f" ] && files+=("$f") ;; esac
  done
  [ ${#files[@]} -gt 0 ] || continue
  if ! "$bin/$target-fuzzer" "${files[@]}" > "${TMPDIR:-/tmp}/ds-fuzz-$target.$$.log" 2>&1; then
    cat "${TMPDIR:-/tmp}/ds-fuzz-$target.$$.log"
    echo "FAILED: $target"
    status=1
  fi
  rm -f "${TMPDIR:-/tmp}/ds-fuzz-$target.$$.log"
done
[ $status -eq 0 ] && echo "== all inputs ran clean"
exit $status
