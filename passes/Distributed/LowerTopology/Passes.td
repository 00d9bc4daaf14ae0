//===- Passes.td - topology lowering of dsc collectives ----*- tablegen -*-===//
#ifndef DS_LOWER_TOPOLOGY_PASSES
#define DS_LOWER_TOPOLOGY_PASSES

include "mlir/Pass/PassBase.td"

def LowerTopology : Pass<"ds-lower-topology", "ModuleOp"> {
  let summary = "Choose the algorithm of every dsc collective for a cluster";
  let description = [{
    Reads a cluster description (JSON or YAML, see docs/topology.md) and, for
    every `dsc.all_reduce`, `dsc.all_gather` and `dsc.reduce_scatter` whose
    `algorithm` is `auto`, prices the candidate schedules (ring, double
    binary tree, Rabenseifner, 2-level and 3-level hierarchical) for the
    message size and the group with the per-level alpha-beta model of
    `ds-sim`, and records the fastest as the op's `algorithm`. Every
    collective without a `level` gets the outermost topology level its group
    spans. Algorithms already chosen (not `auto`) are kept.

    Ranks are the grid's row-major linearized coordinates and must number
    exactly the topology's ranks. With `report`, each collective gets a
    remark listing every candidate's predicted time (what
    `--ds-topology-report` prints).

    A topology file that cannot be read or is invalid, a grid whose device
    count differs from the topology's ranks, a dynamic grid or a dynamic
    operand shape is an error naming the op, and the pass fails.
  }];
  let options = [
    Option<"topology", "topology", "std::string", /*default=*/"\"\"",
           "Cluster description file (.json, .yaml)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per collective with every candidate's predicted time">,
  ];
}

#endif // DS_LOWER_TOPOLOGY_PASSES
