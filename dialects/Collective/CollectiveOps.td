//===- CollectiveOps.td - dsc operations -------------------*- tablegen -*-===//
#ifndef DS_COLLECTIVE_OPS
#define DS_COLLECTIVE_OPS

include "Collective/CollectiveDialect.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class DSC_Op<string mnemonic, list<Trait> traits = []>
    : Op<DSC_Dialect, mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
        DeclareOpInterfaceMethods<SymbolUserOpInterface>,
        DeclareOpInterfaceMethods<BufferizableOpInterface,
            ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
             "getAliasingValues", "bufferize", "bufferizesToAllocation"]>])> {
  let hasVerifier = 1;
}

def DSC_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyStridedMemRef]>;

defvar groupArgs = (ins
  FlatSymbolRefAttr:$grid,
  DefaultValuedAttr<DenseI16ArrayAttr, "{}">:$grid_axes,
  OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$level
);

defvar formsDoc = [{

    In tensor form the op takes a ranked tensor and returns the result; in
    buffer form it takes a memref and writes the result into the `into`
    memref (both contiguous with identity layout when lowered to the
    runtime). `level` is the topology level the collective runs on.
  }];

//===----------------------------------------------------------------------===//
// Group collectives
//===----------------------------------------------------------------------===//

def DSC_AllReduceOp : DSC_Op<"all_reduce"> {
  let summary = "All-reduce over the groups of a device grid";
  let description = [{
    Every rank receives the elementwise reduction (`sum` by default) of the
    operands of all ranks in its group. `algorithm` records the schedule
    chosen by topology lowering (`auto` leaves the choice to the runtime).

    ```mlir
    shard.grid @grid(shape = 2x4)
    %r = dsc.all_reduce %t on @grid grid_axes = [1] algorithm = ring
        : tensor<8x16xf32> -> tensor<8x16xf32>
    dsc.all_reduce %m into %o on @grid grid_axes = [1] reduction = max
        : memref<8x16xf32>, memref<8x16xf32>
    ```
  }] # formsDoc;
  let arguments = !con((ins DSC_TensorOrMemRef:$input,
                            Optional<AnyStridedMemRef>:$out), groupArgs,
    (ins DefaultValuedAttr<DSC_ReductionKind, "ReductionKind::Sum">:$reduction,
         DefaultValuedAttr<DSC_Algorithm, "Algorithm::Auto">:$algorithm));
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input (`into` $out^)? `on` $grid (`grid_axes` `=` $grid_axes^)?
    (`reduction` `=` $reduction^)? (`algorithm` `=` $algorithm^)?
    (`level` `=` $level^)? attr-dict `:` type($input) (`,` type($out)^)?
    (`->` type($result)^)?
  }];
}

def DSC_AllGatherOp : DSC_Op<"all_gather"> {
  let summary = "All-gather over the groups of a device grid";
  let description = [{
    Concatenates the operands of the ranks of a group, in group-index order,
    along `gather_axis`, and gives the result to every rank of the group:
    the result's `gather_axis` size is the group size times the operand's.

    ```mlir
    %r = dsc.all_gather %t on @grid grid_axes = [0] gather_axis = 1
        : tensor<2x4xf32> -> tensor<2x16xf32>
    ```
  }] # formsDoc;
  let arguments = !con((ins DSC_TensorOrMemRef:$input,
                            Optional<AnyStridedMemRef>:$out), groupArgs,
    (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$gather_axis,
         DefaultValuedAttr<DSC_Algorithm, "Algorithm::Auto">:$algorithm));
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input (`into` $out^)? `on` $grid (`grid_axes` `=` $grid_axes^)?
    `gather_axis` `=` $gather_axis (`algorithm` `=` $algorithm^)?
    (`level` `=` $level^)? attr-dict `:` type($input) (`,` type($out)^)?
    (`->` type($result)^)?
  }];
}

def DSC_ReduceScatterOp : DSC_Op<"reduce_scatter"> {
  let summary = "Reduce-scatter over the groups of a device grid";
  let description = [{
    Reduces the operands of the ranks of a group elementwise and splits the
    result along `scatter_axis` into group-size equal chunks; the rank with
    group index `i` receives chunk `i`.

    ```mlir
    %r = dsc.reduce_scatter %t on @grid grid_axes = [0] scatter_axis = 0
        : tensor<16x4xf32> -> tensor<4x4xf32>
    ```
  }] # formsDoc;
  let arguments = !con((ins DSC_TensorOrMemRef:$input,
                            Optional<AnyStridedMemRef>:$out), groupArgs,
    (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$scatter_axis,
         DefaultValuedAttr<DSC_ReductionKind, "ReductionKind::Sum">:$reduction,
         DefaultValuedAttr<DSC_Algorithm, "Algorithm::Auto">:$algorithm));
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input (`into` $out^)? `on` $grid (`grid_axes` `=` $grid_axes^)?
    `scatter_axis` `=` $scatter_axis (`reduction` `=` $reduction^)?
    (`algorithm` `=` $algorithm^)? (`level` `=` $level^)? attr-dict
    `:` type($input) (`,` type($out)^)? (`->` type($result)^)?
  }];
}

def DSC_AllToAllOp : DSC_Op<"all_to_all"> {
  let summary = "All-to-all over the groups of a device grid";
  let description = [{
    Splits the operand along `split_axis` into group-size chunks, sends chunk
    `j` to the rank with group index `j`, and concatenates the chunks it
    receives, in group-index order, along `concat_axis`.

    ```mlir
    %r = dsc.all_to_all %t on @grid grid_axes = [0] split_axis = 0 concat_axis = 1
        : tensor<8x2xf32> -> tensor<2x8xf32>
    ```
  }] # formsDoc;
  let arguments = !con((ins DSC_TensorOrMemRef:$input,
                            Optional<AnyStridedMemRef>:$out), groupArgs,
    (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$split_axis,
         ConfinedAttr<I64Attr, [IntNonNegative]>:$concat_axis));
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input (`into` $out^)? `on` $grid (`grid_axes` `=` $grid_axes^)?
    `split_axis` `=` $split_axis `concat_axis` `=` $concat_axis
    (`level` `=` $level^)? attr-dict `:` type($input) (`,` type($out)^)?
    (`->` type($result)^)?
  }];
}

def DSC_BroadcastOp : DSC_Op<"broadcast"> {
  let summary = "Broadcast from one rank to the rest of its group";
  let description = [{
    Every rank of a group receives the operand of the rank with group index
    `root`; the operands of the other ranks are ignored.

    ```mlir
    %r = dsc.broadcast %t on @grid grid_axes = [0] root = 0
        : tensor<4xf32> -> tensor<4xf32>
    ```
  }] # formsDoc;
  let arguments = !con((ins DSC_TensorOrMemRef:$input,
                            Optional<AnyStridedMemRef>:$out), groupArgs,
    (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$root));
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input (`into` $out^)? `on` $grid (`grid_axes` `=` $grid_axes^)?
    `root` `=` $root (`level` `=` $level^)? attr-dict
    `:` type($input) (`,` type($out)^)? (`->` type($result)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Point to point
//===----------------------------------------------------------------------===//

def DSC_SendOp : DSC_Op<"send"> {
  let summary = "Sends a tensor to one rank";
  let description = [{
    Sends the operand (a tensor, or a contiguous memref in buffer form) to the
    world rank `peer` with message tag `tag`; the peer must issue a matching
    `dsc.recv`. `peer` must differ from the sender at run time.

    ```mlir
    dsc.send %t to 1 tag = 7 : tensor<4xf32>
    ```
  }];
  let arguments = (ins DSC_TensorOrMemRef:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$peer,
                       DefaultValuedAttr<I32Attr, "0">:$tag,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$level);
  let assemblyFormat = [{
    $input `to` $peer (`tag` `=` $tag^)? (`level` `=` $level^)? attr-dict
    `:` type($input)
  }];
  let extraClassDeclaration = [{
    ::mlir::Value getOut() { return {}; }
    ::mlir::Value getResult() { return {}; }
  }];
}

def DSC_RecvOp : DSC_Op<"recv"> {
  let summary = "Receives a tensor from one rank";
  let description = [{
    Receives a message with tag `tag` from the world rank `peer`. In tensor
    form the result type (which must be static) gives the message size; in
    buffer form the message is written into the `into` memref.

    ```mlir
    %t = dsc.recv from 0 tag = 7 -> tensor<4xf32>
    dsc.recv from 0 into %m : memref<4xf32>
    ```
  }];
  let arguments = (ins Optional<AnyStridedMemRef>:$out,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$peer,
                       DefaultValuedAttr<I32Attr, "0">:$tag,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$level);
  let results = (outs Optional<AnyStaticShapeTensor>:$result);
  let assemblyFormat = [{
    `from` $peer (`tag` `=` $tag^)? (`level` `=` $level^)?
    (`into` $out^ `:` type($out))? attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::Value getInput() { return {}; }
  }];
}

//===----------------------------------------------------------------------===//
// Rank queries
//===----------------------------------------------------------------------===//

def DSC_WorldRankOp : Op<DSC_Dialect, "world_rank", [Pure]> {
  let summary = "The rank of this process in the world group";
  let description = [{
    The calling process's rank, in `[0, world size)`. The conversion from
    `shard` computes grid coordinates (`shard.process_multi_index`) from it
    by delinearizing over the grid shape (ranks are row-major grid
    coordinates).

    ```mlir
    %r = dsc.world_rank : index
    ```
  }];
  let results = (outs Index:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

#endif // DS_COLLECTIVE_OPS
