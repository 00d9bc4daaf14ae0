//===- CollectiveDialect.td - the dsc dialect --------------*- tablegen -*-===//
#ifndef DS_COLLECTIVE_DIALECT
#define DS_COLLECTIVE_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def DSC_Dialect : Dialect {
  let name = "dsc";
  let cppNamespace = "::mlir::ds::coll";
  let summary = "Collective communication over device groups";
  let description = [{
    `dsc` holds the collective operations of a distributed (SPMD) ds program:
    `all_reduce`, `all_gather`, `reduce_scatter`, `all_to_all`, `broadcast`,
    and point-to-point `send`/`recv`. Every rank runs the same program.

    Groups are named the way upstream's `shard` dialect names them: a device
    grid (a `shard.grid` symbol, ranks in row-major order of the grid
    coordinates) and the grid axes the collective runs over. The group of a
    rank is the set of ranks that share its coordinates on all *other* axes;
    the index within the group is the row-major coordinate over `grid_axes`
    (in the given order). This is exactly the rank-group convention of the
    runtime ABI (`dsrt/collectives.h`), so lowering passes the grid shape and
    the axes through unchanged.

    What `dsc` adds to `shard`: the physical side. `level` names the
    topology level a collective (or one stage of a hierarchical schedule) runs
    on (0 = innermost, e.g. within a node), and `algorithm` records the
    algorithm that topology lowering chose; its values are those of
    `dsrt_coll_algorithm`.

    Each collective has two forms:

    * tensor form (value semantics): `%r = dsc.all_reduce %t on @grid ... :
      tensor<...> -> tensor<...>`; this is what the conversion from `shard`
      produces and what bufferization consumes;
    * buffer form (destination passing): `dsc.all_reduce %m into %out on
      @grid ... : memref<...>, memref<...>`, with no result; bufferization
      produces it with contiguous identity-layout buffers, and
      `ds-convert-dsc-to-runtime` turns it into `dsrt_*` calls.

    All collectives have a side effect on the communicator, so they are never
    reordered, merged or dropped: every rank issues the same sequence.
  }];
  let dependentDialects = ["::mlir::shard::ShardDialect"];
}

def DSC_ReductionKind : I32EnumAttr<"ReductionKind",
    "reduction of a dsc collective (values of dsrt_reduction)", [
      I32EnumAttrCase<"Sum", 0, "sum">,
      I32EnumAttrCase<"Prod", 1, "prod">,
      I32EnumAttrCase<"Max", 2, "max">,
      I32EnumAttrCase<"Min", 3, "min">,
    ]> {
  let cppNamespace = "::mlir::ds::coll";
}

def DSC_Algorithm : I32EnumAttr<"Algorithm",
    "collective algorithm (values of dsrt_coll_algorithm)", [
      I32EnumAttrCase<"Auto", 0, "auto">,
      I32EnumAttrCase<"Ring", 1, "ring">,
      I32EnumAttrCase<"Tree", 2, "tree">,
      I32EnumAttrCase<"Rabenseifner", 3, "rabenseifner">,
      I32EnumAttrCase<"Hier2", 4, "hier2">,
      I32EnumAttrCase<"Hier3", 5, "hier3">,
      I32EnumAttrCase<"Native", 6, "native">,
    ]> {
  let cppNamespace = "::mlir::ds::coll";
}

#endif // DS_COLLECTIVE_DIALECT
