//===- Pipeline.cpp - linalg-on-tensors → LLVM dialect -------------------===//
//
// The pass order matters in a few places, noted inline. Loops are generated
// naively (linalg → scf), after a reordering that puts a stride-1 parallel
// loop innermost (ds-cpu-interchange-loops); LLVM's O3 vectorizes them for
// the host later, and a tiling/vectorizing pipeline can replace the loop step
// without touching the rest.
//
//===----------------------------------------------------------------------===//
#include "ds/Target/CPU/CPUTarget.h"

#include "LowerDynamicExpandShapes.h"
#include "Passes.h"
#include "passes/Distributed/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// buffer-results-to-out-params cannot give one buffer to two results (it
/// crashes): a function that returns one value twice (two identical ONNX
/// outputs, merged by CSE) gets a copy for each repeat.
struct CopyRepeatedResultsPass
    : PassWrapper<CopyRepeatedResultsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopyRepeatedResultsPass)
  StringRef getArgument() const override {
    return "ds-cpu-copy-repeated-results";
  }
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      Location loc = ret.getLoc();
      llvm::SmallPtrSet<Value, 4> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        SmallVector<Value> dynamicSizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            dynamicSizes.push_back(memref::DimOp::create(b, loc, v, d));
        Value copy = memref::AllocOp::create(
            b, loc, MemRefType::get(type.getShape(), type.getElementType()),
            dynamicSizes);
        memref::CopyOp::create(b, loc, v, copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace

static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void ds::buildCPULoweringPipeline(OpPassManager &pm,
                                   const CPUTargetOptions &options) {
  // Loop order for the later linalg → loops step: a stride-1 parallel loop
  // innermost instead of a reduction, so LLVM can vectorize contractions
  // and convolutions. On tensors, before cleanup folds anything away.
  pm.addNestedPass<func::FuncOp>(ds::createInterchangeLoopsPass());
  addCleanup(pm);

  // Tensors → buffers. Identity layouts at function boundaries give the
  // dense row-major descriptors the runtime builds (docs/artifact-abi.md).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // ONNX Loop (scf.while) yields scan outputs that grow each iteration: new
  // buffers, not the iter_args' (the deallocation pipeline frees them).
  bufferize.allowReturnAllocsFromLoops = true;
  // After cleanup, which would fold the expand back into the constant.
  pm.addNestedPass<func::FuncOp>(ds::createFlattenConstantsPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  addCleanup(pm);

  // Results of static shape become caller-allocated out-parameters (ABI
  // version 2). @main is public, so its signature must be allowed to change;
  // hoisting turns the result's alloc + copy into direct writes to the
  // out-parameter. A function with a result of dynamic shape keeps its
  // results (ABI version 3): the deallocation pipeline then makes each
  // returned buffer one the caller owns (cloning arguments and constants).
  pm.addNestedPass<func::FuncOp>(std::make_unique<CopyRepeatedResultsPass>());
  pm.addPass(ds::createResultsToOutParamsPass());
  // Convolutions with their padding and elementwise epilogues become one
  // fused kernel call each. Before buffer planning: fusion changes which
  // buffers a convolution reads (the unpadded input instead of its padded
  // copy), so liveness must be computed on the fused program, or the
  // planner could hand the input's bytes to a later buffer.
  pm.addPass(ds::createFuseConvKernelsPass());
  // Static intermediates become views of one arena per call, laid out by
  // liveness (docs/performance.md, "Memory planning"); deallocation then
  // frees the arena once.
  if (options.planBuffers)
    pm.addNestedPass<func::FuncOp>(ds::createPlanBuffersPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  // The clones that make returned buffers caller-owned (version 3 only;
  // a no-op for out-parameter functions, which have none).
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Collectives (dsc, buffer form after bufferization) → dsrt_* calls; a
  // no-op for models that are not distributed.
  pm.addPass(ds::createConvertDSCToRuntime());
  // Other contractions and convolutions become calls of the runtime's
  // packed, threaded kernels; what is left becomes loops below.
  pm.addPass(ds::createUseMicrokernelsPass());
  // Max and sum pooling windows: calls of the runtime's vectorized kernel
  // instead of scalar loops.
  pm.addPass(ds::createUsePoolingKernelsPass());

  // Must run before memref lowering decides between memcpy and memrefCopy.
  pm.addPass(ds::createLowerStridedCopiesPass());
  // Large elementwise and reduction ops left as linalg run on the runtime's
  // pool (ds-cpu-parallelize-loops; the kernels are threaded already).
  if (options.parallelizeLoops)
    pm.addPass(ds::createParallelizeLoopsPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());

  // Floating point: math on f16/bf16 is computed in f32; bf16 arithmetic is
  // emulated in f32 and its casts expanded to integer ops, because neither
  // needs libgcc's soft-float helpers (older libgcc lacks the bf16 ones).
  // f16 stays native: LLVM uses F16C/AVX512-FP16 or promotes inline.
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));

  // Math: LLVM intrinsics first (exp, log, tanh, ... which LLVM may inline or
  // vectorize), then libm calls for what LLVM has no intrinsic for (erf,
  // atan, ...). The reverse order would turn everything into opaque calls.
  // Integer powers (ipowi, fpowi) have neither and become small outlined
  // functions; math-to-llvm would reject them, so they go first.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());

  pm.addPass(createSCFToControlFlowPass());
  addCleanup(pm);

  // expand-strided-metadata emits affine.apply, hence the second lowering.
  // It crashes on expands with several dynamic sizes in one group (LLVM 22);
  // ds-cpu-lower-dynamic-expand-shapes takes those first.
  pm.addPass(ds::createLowerDynamicExpandShapesPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Kernels written with vector ops (the attention micro-kernels) read and
  // write through vector.transfer_*; this lowers them to (masked) loads and
  // stores before convert-to-llvm, which knows only the plain vector ops.
  pm.addPass(createConvertVectorToLLVMPass());
  // Heap buffers go through libdsrt's allocation functions (the generic
  // _mlir_memref_to_llvm_* names), which count what a model's buffers take
  // (dsrt_memory_stats_get, `ds-run --bench`).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // Vector transfers (the quantized kernels' loads and stores) become
  // vector.load/store first; convert-to-llvm alone does not lower them.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  addCleanup(pm);
}

void ds::addCPUQuantizedKernelPasses(OpPassManager &pm) {
  pm.addPass(ds::createUseQuantizedKernelsPass());
}

void ds::registerCPUPipelines() {
  registerDSTargetCPUPasses();
  registerDSTargetCPUWorkaroundsPasses();
  PassPipelineRegistration<>(
      "ds-cpu-lower-to-llvm",
      "Lower a linalg-on-tensors module to the LLVM dialect for the ds CPU "
      "back end (results become out-parameters)",
      [](OpPassManager &pm) { buildCPULoweringPipeline(pm); });
}

void ds::registerCPUTargetDialects(DialectRegistry &registry) {
  // Bufferization and convert-to-llvm find their per-dialect logic through
  // interfaces registered as extensions; missing one fails only at run time
  // on the first model that needs it, so register them all.
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}
