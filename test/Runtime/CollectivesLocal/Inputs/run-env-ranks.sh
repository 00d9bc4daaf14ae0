#!/usr/bin/env bash
# Usage: run-env-ranks.sh LIMIT_S NP COMMAND...
# Starts NP copies of COMMAND torchrun-style (RANK, WORLD_SIZE, MASTER_ADDR,
# MASTER_PORT; no mpirun) and, like torchrun's agent, ends the remaining
# ranks (SIGTERM) one second after any rank exits non-zero. Prints
# "env-ranks: rank R exit=CODE" for each rank. Ranks still running at
# LIMIT_S seconds are killed and the script exits 1 (a hang fails the test);
# otherwise it exits 0 and the test checks the codes.
# RANK_ENV_<R>="VAR=VALUE ..." adds environment for rank R only.
limit=$1 np=$2
shift 2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=() codes=()
for ((r = 0; r < np; r++)); do
  extra_var="RANK_ENV_$r"
  env RANK=$r WORLD_SIZE=$np MASTER_ADDR=127.0.0.1 MASTER_PORT=$port ${!extra_var} "$@" 2>&1 &
  pids+=($!)
  codes+=("")
done
start=$(date +%s)
stop_at=""
hung=0
while :; do
  running=0
  for ((r = 0; r < np; r++)); do
    [ -n "${codes[$r]}" ] && continue
    if kill -0 "${pids[$r]}" 2>/dev/null; then
      running=1
    else
      wait "${pids[$r]}"
      codes[$r]=$?
      if [ "${codes[$r]}" -ne 0 ] && [ -z "$stop_at" ]; then
        stop_at=$(( $(date +%s) + 1 ))
      fi
    fi
  done
  ((running)) || break
  now=$(date +%s)
  if [ -n "$stop_at" ] && (( now >= stop_at )); then
    for ((r = 0; r < np; r++)); do
      [ -z "${codes[$r]}" ] && kill -TERM "${pids[$r]}" 2>/dev/null
    done
    stop_at=$(( now + 1000000 ))
  fi
  if (( now - start >= limit )); then
    hung=1
    for ((r = 0; r < np; r++)); do
      [ -z "${codes[$r]}" ] && kill -9 "${pids[$r]}" 2>/dev/null
    done
  fi
  sleep 0.1
done
for ((r = 0; r < np; r++)); do echo "env-ranks: rank $r exit=${codes[$r]}"; done
if ((hung)); then
  echo "env-ranks: HUNG: killed after ${limit}s"
  exit 1
fi
exit 0
