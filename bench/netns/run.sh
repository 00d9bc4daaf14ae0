#!/usr/bin/env bash
# Real-network demonstration of ds's hierarchical all-reduce (issue 6 item 7).
#
# Builds emulated clusters out of Linux network namespaces: one namespace per
# "node" holding its ranks, every node attached by one veth pair to a bridge
# in a "switch" namespace. The node links are shaped with tc tbf (RATE_MBIT
# each way) so that "inter-node" traffic is slow, while the ranks of one node
# talk over the namespace's loopback path (fast, unshaped). OpenMPI's TCP
# transport carries all traffic (--mca btl tcp,self); mpirun runs in its own
# namespace on the bridge and starts one orted per node namespace through a
# launcher that enters the namespace (OpenMPI's PMIx needs TCP loopback to
# the orted in the same namespace, so ranks cannot simply be wrapped in
# `ip netns exec`).
#
# For a 2-node x 2-rank and a 4x2 cluster it times ds's flat ring all-reduce
# and its 2-level hierarchical one (DSRT_ALGO_RING vs DSRT_ALGO_HIER2) and
# prints the measured ratio beside ds-sim's prediction. The link figures
# given to ds-sim are calibrated first, on the same namespaces: a 2-rank
# all-reduce inside one node and across two nodes at two sizes gives each
# level's latency and bandwidth (t = 2*alpha + S/B for 2 ranks).
#
# OpenMPI's TCP transport sends whole messages eagerly here (eager limit
# 4 MiB): with its default rendezvous, the handshake of a message from A to
# B queues behind B's bulk data to A on the same connection, so a pairwise
# exchange (a 2-rank ring, hier2's inter-node phase on 2 nodes) runs at half
# the link rate and the links stop behaving like the full-duplex links the
# model (and the hardware) has.
#
# Usage (root): bench/netns/run.sh [BUILD_DIR]
# Environment: RATE_MBIT (default 50), BYTES (default 2097152),
#              ITERS (default 3), TOPOLOGIES (default "2x2 4x2").
# Traffic stays in the namespaces created here; they are deleted on exit,
# also when interrupted.
set -euo pipefail

BUILD=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}
RATE_MBIT=${RATE_MBIT:-50}
BYTES=${BYTES:-2097152}
ITERS=${ITERS:-3}
TOPOLOGIES=${TOPOLOGIES:-"2x2 4x2"}
CHUNKS=4
CHECK=$BUILD/bin/ds-coll-check
SIM=$BUILD/bin/ds-sim

die() { echo "netns: error: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (creates network namespaces)"
for t in ip tc mpirun; do command -v $t >/dev/null || die "$t not found"; done
[ -x "$CHECK" ] || die "$CHECK not built (scripts/build.sh ds-coll-check)"
[ -f "$BUILD/lib/libdsrt_coll_mpi.so" ] || die "the MPI backend is not built"

P=dsn$$                     # namespace prefix, unique per run
SW=$P-sw HEAD=$P-head
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ds-netns.XXXXXX")
NODES_UP=0

cleanup() {
  set +e
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the fabric ----------------------------------------------------------
setup() { # $1 = number of nodes
  local n=$1
  cleanup_nodes
  ip netns add $SW
  ip -n $SW link add br0 type bridge
  ip -n $SW link set br0 up
  ip netns add $HEAD
  ip -n $SW link add hd type veth peer name eth0 netns $HEAD
  ip -n $SW link set hd master br0 up
  ip -n $HEAD addr add 10.99.0.254/24 dev eth0
  ip -n $HEAD link set eth0 up
  ip -n $HEAD link set lo up
  for ((k = 0; k < n; k++)); do
    local ns=$P-n$k
    ip netns add $ns
    ip -n $SW link add v$k type veth peer name eth0 netns $ns
    ip -n $SW link set v$k master br0 up
    ip -n $ns addr add 10.99.0.$((k + 1))/24 dev eth0
    ip -n $ns link set eth0 up
    ip -n $ns link set lo up
    # Keep TCP's congestion window across the idle gaps between rounds (the
    # model has no slow start).
    ip netns exec $ns sysctl -qw net.ipv4.tcp_slow_start_after_idle=0
    # The node's link, both directions: egress of the node and of its
    # switch port.
    ip netns exec $ns tc qdisc add dev eth0 root tbf rate ${RATE_MBIT}mbit burst 64kb latency 20ms
    ip netns exec $SW tc qdisc add dev v$k root tbf rate ${RATE_MBIT}mbit burst 64kb latency 20ms
  done
  NODES_UP=$n
}
cleanup_nodes() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" || true
  done
}

# mpirun's launcher: "agent [options] HOST COMMAND..." -> run COMMAND (an
# orted) inside the namespace of HOST (10.99.0.K+1 -> node K).
cat > "$WORK/enter-node" <<AGENT
#!/usr/bin/env bash
while [[ "\$1" == -* ]]; do shift; done
host=\$1; shift
k=\$(( \${host##*.} - 1 ))
exec ip netns exec $P-n\$k /bin/sh -c "\$*"
AGENT
chmod +x "$WORK/enter-node"

# run_ranks NODES PER_NODE ARGS... : ds-coll-check on NODES x PER_NODE ranks
run_ranks() {
  local n=$1 per=$2; shift 2
  local hosts=""
  for ((k = 0; k < n; k++)); do hosts+="${hosts:+,}10.99.0.$((k + 1)):$per"; done
  TMPDIR=$WORK timeout 300 ip netns exec $HEAD mpirun --allow-run-as-root \
    --host "$hosts" -np $((n * per)) \
    --mca plm_rsh_agent "$WORK/enter-node" --mca plm_rsh_no_tree_spawn 1 \
    --mca orte_tmpdir_base "$WORK" \
    --mca btl tcp,self --mca btl_tcp_if_include 10.99.0.0/24 \
    --mca oob_tcp_if_include 10.99.0.0/24 --mca mpi_yield_when_idle 1 \
    --mca btl_tcp_eager_limit 4194304 --mca btl_tcp_rndv_eager_limit 4194304 \
    --mca btl_tcp_max_send_size 4194304 \
    -x DS_COLL_RANKS_PER_NODE=$per -x DS_COLL_CHUNKS=$CHUNKS -x DS_COLL_CHECK=0 \
    -x DS_COLL_TIMEOUT_S=60 \
    "$CHECK" "$@"
}

bench_us() { # NODES PER ALGO BYTES -> median time in us
  run_ranks "$1" "$2" bench --algo "$3" --bytes "$4" --iters "$ITERS" |
    sed -n 's/.*time_us=\([0-9.]*\).*/\1/p'
}

# --- calibration: alpha and beta of each level -----------------------------
SMALL=4096
echo "# ds network-namespace demonstration: inter-node links ${RATE_MBIT} Mbit/s (tbf), ${BYTES}-byte all-reduce"
setup 2
intra_s=$(bench_us 1 2 ring $SMALL); intra_l=$(bench_us 1 2 ring $BYTES)
inter_s=$(bench_us 2 1 ring $SMALL); inter_l=$(bench_us 2 1 ring $BYTES)
fit() { # t_small t_large -> "alpha_us bandwidth_GBps"
  awk -v ts="$1" -v tl="$2" -v ss=$SMALL -v sl=$BYTES 'BEGIN {
    b = (sl - ss) / ((tl - ts) * 1e-6);          # bytes/s
    a = (ts * 1e-6 - ss / b) / 2; if (a < 1e-6) a = 1e-6;
    printf "%.1f %.6f\n", a * 1e6, b / 1e9 }'
}
read intra_alpha intra_bw < <(fit "$intra_s" "$intra_l")
read inter_alpha inter_bw < <(fit "$inter_s" "$inter_l")
echo "# calibrated: intra-node alpha=${intra_alpha}us beta=${intra_bw}GB/s;" \
     "inter-node alpha=${inter_alpha}us beta=${inter_bw}GB/s (tbf rate $(awk -v r=$RATE_MBIT 'BEGIN{print r/8000}') GB/s)"

if [ -x "$SIM" ]; then
  PREDICTOR="ds-sim (branch topo)"
else
  PREDICTOR="closed-form alpha-beta (ds-sim not built)"
fi
echo "# prediction: $PREDICTOR"
printf "%-6s %-6s %14s %14s\n" topo algo measured_us predicted_us
summary=()
for topo in $TOPOLOGIES; do
  n=${topo%x*} per=${topo#*x}
  setup "$n"
  cat > "$WORK/topo.json" <<JSON
{"name": "netns-$topo", "nodes": $n, "devices_per_node": $per,
 "levels": [{"name": "loopback", "latency_us": $intra_alpha, "bandwidth_GBps": $intra_bw},
            {"name": "veth", "latency_us": $inter_alpha, "bandwidth_GBps": $inter_bw,
             "oversubscription": $per}]}
JSON
  declare -A meas pred
  for algo in ${ALGOS:-ring hier2}; do
    meas[$algo]=$(bench_us "$n" "$per" $algo "$BYTES")
    if [ -x "$SIM" ]; then
      pred[$algo]=$("$SIM" "$WORK/topo.json" --bytes "$BYTES" --algorithm $algo \
                    --chunks $CHUNKS | awk '$2 == "'$algo'" {print $4}')
    else
      # Closed forms, p ranks, L per node, M nodes, S bytes; the node link
      # is shared by its L ranks.
      pred[$algo]=$(awk -v p=$((n * per)) -v L=$per -v M=$n -v S=$BYTES \
        -v ai=$intra_alpha -v bi=$intra_bw -v ae=$inter_alpha -v be=$inter_bw -v algo=$algo 'BEGIN {
          bi *= 1e9; be *= 1e9
          if (algo == "ring") t = 2*(p-1)*ae + 2*(p-1)/p*S/be;
          else t = 2*(L-1)*ai + 2*(L-1)/L*S/bi + 2*(M-1)*ae + 2*(M-1)/M*(S/L)*L/be;
          printf "%.1f", t * 1e6 }')
    fi
    printf "%-6s %-6s %14s %14s\n" "$topo" "$algo" "${meas[$algo]}" "${pred[$algo]}"
  done
  summary+=("$(awk -v mr="${meas[ring]}" -v mh="${meas[hier2]}" -v pr="${pred[ring]}" -v ph="${pred[hier2]}" -v t="$topo" 'BEGIN {
      m = mr / mh; p = pr / ph; d = (m / p - 1) * 100;
      printf "%-6s measured flat/hier2 = %.2fx   predicted = %.2fx   deviation %+.0f%% %s",
             t, m, p, d, (d < 25 && d > -25) ? "(within 25%)" : "(OUTSIDE 25%)" }')")
  unset meas pred
done
echo "# ratio = time(flat ring) / time(hier2)"
printf '%s\n' "${summary[@]}"
