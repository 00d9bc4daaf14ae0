#!/usr/bin/env bash
# Usage: run-ranks.sh LIMIT_S NP COMMAND...
# Runs COMMAND on NP ranks under mpirun with a hard limit of LIMIT_S seconds
# and prints the ranks' output followed by
#   run-ranks: exit=CODE
# Exits 0 when mpirun ended by itself within the limit (whatever its status,
# which the test checks with FileCheck), and 1 when it had to be killed: a
# hang fails the test even where the test expects a non-zero status.
limit=$1 np=$2
shift 2
# A private session directory: concurrent mpiruns (lit runs tests in
# parallel) otherwise race creating the same one.
session=$(mktemp -d "${TMPDIR:-/tmp}/ds-ranks.XXXXXX")
trap 'rm -rf "$session"' EXIT
export TMPDIR=$session
start=$(date +%s)
timeout -s KILL "$limit" mpirun --allow-run-as-root --oversubscribe \
  --mca orte_tmpdir_base "$session" --mca btl self,vader,tcp --mca btl_vader_single_copy_mechanism none \
  -np "$np" "$@" 2>&1
code=$?
elapsed=$(( $(date +%s) - start ))
echo "run-ranks: exit=$code"
if [ "$code" -eq 137 ] && [ "$elapsed" -ge "$limit" ]; then
  echo "run-ranks: HUNG: killed after ${limit}s"
  exit 1
fi
exit 0
