//===- Passes.td - ds distribution passes ------------------*- tablegen -*-===//
#ifndef DS_DISTRIBUTED_PASSES
#define DS_DISTRIBUTED_PASSES

include "mlir/Pass/PassBase.td"

def ShardModel : Pass<"ds-shard", "ModuleOp"> {
  let summary = "Annotate a linalg-level model with tensor/data-parallel shardings";
  let description = [{
    Adds a `shard.grid @ds_grid(shape = DPxTP)` (axis 0: data parallel,
    axis 1: tensor parallel; an axis of size 1 is left out) and
    `shard.shard` annotations in the Megatron style:

    * a linear layer (`linalg.matmul`/`batch_matmul`/2-D-weight contraction)
      whose activation does not come from a column-parallel layer is
      *column parallel*: its weight is split over the output features;
    * a linear layer whose activation comes, through elementwise ops, from a
      column-parallel layer is *row parallel*: its weight is split over the
      input features, so its partial outputs are summed by one all-reduce;
    * attention in unfused form (Q·Kᵀ, softmax, ·V over a head axis) is
      split over heads (Megatron): the Q/K/V projections are column
      parallel, their outputs reach the head split `[B, S, H*D] ->
      [B, S, H, D]` split on H (the reshape sharding model maps the split
      through the reassociation), each rank computes attention over its
      H/tp heads, and the output projection, whose activation comes from
      the heads through reshapes, transposes and batched products, is row
      parallel (one all-reduce). Batched matmuls that fold [B, H] into one
      batch dimension are unfolded first (ds-fold-batch-dims folds them back
      after partitioning). When `tp` does not divide the number of heads,
      the projections feeding that head split stay replicated (with a
      remark), and attention runs replicated without communication;
    * with `dp > 1`, function arguments of rank ≥ 2 (activations) are split
      along dimension 0 (the batch).

    Function arguments and results stay unsplit (replicated) at the
    boundary, so each rank takes the full inputs and returns the full
    outputs; weights are sliced locally. Upstream `sharding-propagation`
    and `shard-partition` then produce the SPMD program. Running the pass
    on a module that already has a `shard.grid` is an error.
  }];
  let options = [
    Option<"tp", "tp", "int64_t", "1", "tensor-parallel degree">,
    Option<"dp", "dp", "int64_t", "1", "data-parallel degree">,
  ];
  let dependentDialects = ["mlir::shard::ShardDialect"];
}

def FoldBatchDims : Pass<"ds-fold-batch-dims", "func::FuncOp"> {
  let summary = "Fold the batch loops of multi-batch contractions into one";
  let description = [{
    ds-shard unfolds `linalg.batch_matmul`s whose batch is several collapsed
    dimensions (the [B, H] of attention) into `linalg.generic` contractions
    over all batch dimensions, so that sharding can split the heads. After
    partitioning, this pass collapses the contiguous leading batch loops of
    such a contraction back into one (upstream
    `linalg::collapseOpIterationDims`) and specializes the result to
    `linalg.batch_matmul`, which the CPU back end hands to its GEMM kernel.
    Contractions whose batch loops are not leading and contiguous in every
    operand, or that have dynamic shapes, are left alone.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def ConvertShardToDSC : Pass<"ds-convert-shard-to-dsc", "ModuleOp"> {
  let summary = "Convert the collectives of a partitioned shard program to dsc";
  let description = [{
    Rewrites the SPMD program that `shard-partition` produces:
    `shard.all_reduce`, `all_gather`, `reduce_scatter`, `all_to_all` and
    `broadcast` become the `dsc` collective of the same name (same grid and
    axes, `algorithm = auto`); the rank-local ops become plain tensor and
    index arithmetic on `dsc.world_rank`: `shard.all_slice` becomes a
    `tensor.extract_slice` at this rank's group index,
    `process_multi_index`/`process_linear_index` delinearize/linearize the
    world rank over the grid shape, `grid_shape` becomes constants.
    Grids must have static shapes. Ops without a dsc counterpart (`reduce`,
    `gather`, `scatter`, `shift`, `send`/`recv` with grid coordinates,
    reductions other than sum/prod/max/min, element type changes in an
    all-reduce) and leftover `shard.shard` annotations are reported and the
    pass fails.
  }];
  let dependentDialects = [
    "mlir::ds::coll::DSCDialect",
    "mlir::affine::AffineDialect",
    "mlir::arith::ArithDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def DecomposeCollectives : Pass<"ds-decompose-collectives", "func::FuncOp"> {
  let summary = "Rewrite dsc collectives on inner axes to leading-axis ones";
  let description = [{
    The runtime exchanges contiguous per-rank chunks in group-index order,
    i.e. gathers, scatters and all-to-alls along dimension 0. This pass
    rewrites, on tensors, a `dsc.all_gather` along `gather_axis > 0`, a
    `dsc.reduce_scatter` along `scatter_axis > 0` and a `dsc.all_to_all`
    whose split or concat axis is not 0 into the leading-axis collective
    between `tensor.expand_shape`/`linalg.transpose`/`tensor.collapse_shape`
    ops. Needs static shapes and a static group size.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def ConvertDSCToRuntime : Pass<"ds-convert-dsc-to-runtime", "ModuleOp"> {
  let summary = "Lower buffer-form dsc ops to calls of the dsrt collectives ABI";
  let description = [{
    Each buffer-form `dsc` op becomes a `func.call` to the `dsrt_*`
    function of `dsrt/collectives.h`: aligned pointers of the (contiguous,
    identity-layout) buffers, the element count, the dsrt dtype code, the
    reduction, the grid shape and axes (private constant globals) and the
    algorithm. Gathers, scatters and all-to-alls must be along dimension 0
    (run `ds-decompose-collectives` on tensors first).

    Errors: the status of every call is checked. The first non-zero status
    is stored in the module's `ds_collective_status` global (an `i32`) and
    every later collective of the run is skipped; the artifact's `ds_entry`
    returns that status (docs/artifact-abi.md). A function that uses a grid
    first checks that the world size equals the grid's size and stores
    status -1 otherwise. `dsc.world_rank` becomes `dsrt_world_rank`.
    `shard.grid` symbols that nothing refers to any more are erased.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

#endif // DS_DISTRIBUTED_PASSES
