//===- Compiler.cpp - The ds compile API ---------------------------------===//
#include "ds/Compiler/Compiler.h"

#include "Internal.h"
#include "ds/InitAll.h"
#include "ds/Target/CPU/ArtifactMetadata.h"
#include "ds/Target/CPU/CPUTarget.h"
#include "ds/Target/GPU/QuantizedKernels.h"
#include "passes/Conversion/Passes.h"
#include "passes/Distributed/LowerTopology/Passes.h"
#include "passes/Distributed/Passes.h"
#include "passes/Quantization/Passes.h"
#include "passes/Transforms/FoldBatchNorm/Passes.h"
#include "passes/Transforms/FuseAttention/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#ifdef DS_HAVE_ONNX_IMPORT
#include "ds/Import/ONNX.h"
#endif

using namespace mlir;
using namespace mlir::ds;
using ds::detail::runPasses;

int ds::getExitCode(CompileStatus status) {
  switch (status) {
  case CompileStatus::Success:
    return 0;
  case CompileStatus::Unsupported:
    return 3;
  case CompileStatus::Invalid:
  case CompileStatus::Failure:
    return 1;
  }
  return 1;
}

StringRef ds::stringifyCompileStatus(CompileStatus status) {
  switch (status) {
  case CompileStatus::Success:
    return "success";
  case CompileStatus::Unsupported:
    return "unsupported";
  case CompileStatus::Invalid:
    return "invalid";
  case CompileStatus::Failure:
    return "failure";
  }
  return "failure";
}

void ds::registerCompilerDialects(DialectRegistry &registry) {
  ds::registerAllDialects(registry);
  registerCPUTargetDialects(registry);
  registerGPUTargetDialects(registry);
  registerCalibrationRunner(registry);
}

CompileStatus ds::loadModel(StringRef path, MLIRContext &context,
                            OwningOpRef<ModuleOp> &module) {
  if (llvm::sys::path::extension(path).equals_insensitive(".onnx")) {
#ifdef DS_HAVE_ONNX_IMPORT
    switch (importONNXFile(path, &context, module)) {
    case ImportResult::Success:
      return CompileStatus::Success;
    case ImportResult::Unsupported:
      return CompileStatus::Unsupported;
    case ImportResult::Invalid:
      return CompileStatus::Invalid;
    }
    return CompileStatus::Invalid;
#else
    emitError(UnknownLoc::get(&context))
        << "cannot load '" << path << "': ds was built without the ONNX importer";
    return CompileStatus::Unsupported;
#endif
  }
  // parseSourceFile reports unreadable files and syntax errors itself.
  module = parseSourceFile<ModuleOp>(path, &context);
  return module ? CompileStatus::Success : CompileStatus::Invalid;
}

/// Runs `build`'s passes on `module`, configured by the caller's hook.
LogicalResult ds::detail::runPasses(ModuleOp module, const CompileOptions &options,
                               function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  build(pm);
  if (options.configurePassManager &&
      failed(options.configurePassManager(pm)))
    return failure();
  return pm.run(module);
}

// ONNX Loop imports as scf.while on tensors, which the CPU pipeline
// bufferizes (allowing the loop to yield new buffers); the GPU pipelines have
// no host-side loops around kernel launches yet, and the partitioner no
// sharding model for them.
LogicalResult ds::detail::checkLoopsSupported(ModuleOp module,
                                              const CompileOptions &options) {
  if (options.targetKind == TargetKind::CPU && options.shard.ranks() == 1)
    return success();
  WalkResult loops = module.walk([](scf::WhileOp loop) {
    if (llvm::none_of(loop->getOperandTypes(), llvm::IsaPred<TensorType>))
      return WalkResult::advance();
    loop.emitOpError() << "comes from an ONNX Loop; loops are supported on "
                          "the CPU target without --shard only";
    return WalkResult::interrupt();
  });
  return failure(loops.wasInterrupted());
}

/// The quantize stage (compileModel and compileKernels): ds-quantize with
/// `options.quantize`, which "int8"/"int4" abbreviate.
CompileStatus ds::detail::quantizeStage(ModuleOp module,
                                        const CompileOptions &options) {
  if (!options.quantize.empty() && options.targetKind == TargetKind::ROCm) {
    emitError(module.getLoc())
        << "quantization is supported for the CPU and CUDA targets only (the "
           "ROCm pipeline has no dsq kernels yet)";
    return CompileStatus::Unsupported;
  }
  if (!options.quantize.empty()) {
    if (options.beforeStage)
      options.beforeStage("quantize");
    // "int8" and "int4" are short for "weights=int8" and "weights=int4".
    std::string passOptions = options.quantize;
    if (passOptions == "int8" || passOptions == "int4")
      passOptions = "weights=" + passOptions;
    else if (passOptions == "default")
      passOptions.clear();
    // `target` picks activations from the host CPU's dot products; every
    // CUDA chip ds targets (sm_80+) has int8 tensor cores.
    if (options.targetKind == TargetKind::CUDA &&
        StringRef(passOptions).find("activations") == StringRef::npos)
      passOptions += std::string(passOptions.empty() ? "" : " ") +
                     "activations=dynamic-per-token";
    std::unique_ptr<Pass> quantize = createQuantize();
    std::string error;
    if (failed(quantize->initializeOptions(passOptions, [&](const Twine &msg) {
          error = msg.str();
          return failure();
        }))) {
      emitError(module.getLoc())
          << "invalid quantization options '" << options.quantize
          << "'" << (error.empty() ? "" : ": ") << error;
      return CompileStatus::Invalid;
    }
    OpPassManager quantizePM(ModuleOp::getOperationName());
    quantizePM.addPass(std::move(quantize));
    // Bad option values are reported by the pass itself.
    if (failed(runPasses(module, options,
                         [&](OpPassManager &pm) { pm = quantizePM; })))
      return CompileStatus::Invalid;
    if (options.afterStage)
      options.afterStage("quantize", module);
  }
  return CompileStatus::Success;
}

/// Whether the module holds dsq ops, and the passes lowering them: on the
/// CPU and CUDA, products and run-time quantization become kernels; the
/// rest is lowered portably.
void ds::detail::addQuantizedLowering(OpPassManager &pm, ModuleOp module,
                                      const CompileOptions &options) {
  bool quantized = module
                       .walk([](Operation *op) {
                         return isa<quant::DSQDialect>(op->getDialect())
                                    ? WalkResult::interrupt()
                                    : WalkResult::advance();
                       })
                       .wasInterrupted();
  if (!quantized)
    return;
  // dsq first: its lowering reads dsg constants (weights, biases).
  // Quantized convolutions become products on their patch matrix first, so
  // that they reach the int8 GEMM kernels too.
  pm.addPass(createDecomposeQConv());
  if (options.targetKind == TargetKind::CPU)
    addCPUQuantizedKernelPasses(pm);
  if (options.targetKind == TargetKind::CUDA)
    addGPUQuantizedKernelPasses(pm);
  // What the kernels leave: on a GPU target, linalg that the GPU pipeline
  // maps to kernels. The VNNI loop nest is x86 host code (it would run on
  // the host and, with device-resident buffers, read device memory there).
  LowerQuantizedOptions lower;
  if (options.targetKind != TargetKind::CPU)
    lower.vnni = "off";
  pm.addPass(createLowerQuantized(lower));
}

CompileStatus ds::compileModel(ModuleOp module, const CompileOptions &options,
                               StringRef artifactPath) {
  if (failed(verify(module)))
    return CompileStatus::Invalid;
  StringRef entryName = options.target.entryName;
  auto entry = module.lookupSymbol<func::FuncOp>(entryName);
  if (!entry || entry.isExternal()) {
    emitError(module.getLoc())
        << "expected the model to define func.func @" << entryName;
    return CompileStatus::Invalid;
  }

  // Before conversion: afterwards unsigned types are signless.
  FailureOr<ArtifactMetadata> metadata = buildArtifactMetadata(entry);
  if (failed(metadata))
    return CompileStatus::Unsupported;
  // Callee-allocated outputs (ABI version 3) exist in the CPU artifact writer
  // only; the GPU host code and the partitioner keep caller allocation.
  if (metadata->hasDynamicOutputs() &&
      (options.targetKind != TargetKind::CPU || options.shard.ranks() > 1)) {
    for (const TensorMetadata &output : metadata->outputs)
      if (llvm::is_contained(output.shape, -1)) {
        entry.emitOpError()
            << "output '" << output.name
            << "' has a shape known only at run time; outputs of dynamic "
               "shape are supported on the CPU target without --shard only";
        break;
      }
    return CompileStatus::Unsupported;
  }

  if (failed(detail::checkLoopsSupported(module, options)))
    return CompileStatus::Unsupported;

  auto begin = [&](StringRef stage) {
    if (options.beforeStage)
      options.beforeStage(stage);
  };

  begin("graph");
  if (failed(runPasses(module, options, [&](OpPassManager &pm) {
        // Batch norms of inference models go into their convolutions'
        // constants (every target benefits; the CPU then fuses the conv's
        // epilogue into its kernel call).
        pm.addPass(createFoldBatchNorm());
        // The CPU loop nest and the CUDA flash-attention kernel take
        // dsg.attention; ROCm has no kernel for it yet, and the op has no
        // sharding model: there and in distributed builds the exported
        // subgraph stays unfused (and is partitioned as matmuls and
        // softmax).
        if (options.fuseAttention &&
            (options.targetKind == TargetKind::CPU ||
             options.targetKind == TargetKind::CUDA) &&
            options.shard.ranks() == 1)
          pm.addPass(createFuseAttention());
      })))
    return CompileStatus::Failure;
  if (options.afterStage)
    options.afterStage("graph", module);

  if (CompileStatus status = detail::quantizeStage(module, options);
      status != CompileStatus::Success)
    return status;

  // Every dsg op that verifies must lower: a conversion failure is a ds bug,
  // not an unsupported input. Only the importer decides what is unsupported,
  // so that test harnesses never count a lowering bug as a skip.
  begin("linalg");
  if (failed(runPasses(module, options, [&](OpPassManager &pm) {
        detail::addQuantizedLowering(pm, module, options);
        if (options.targetKind == TargetKind::CUDA)
          buildGPUGraphPasses(pm, GPURuntime::CUDA);
        pm.addPass(createConvertGraphToLinalg());
      })))
    return CompileStatus::Failure;
  if (options.afterStage)
    options.afterStage("linalg", module);

  if (options.shard.tp < 1 || options.shard.dp < 1) {
    emitError(module.getLoc()) << "shard degrees must be at least 1 (tp="
                               << options.shard.tp << ", dp="
                               << options.shard.dp << ")";
    return CompileStatus::Invalid;
  }
  if (options.shard.ranks() > 1 && options.targetKind != TargetKind::CPU) {
    emitError(module.getLoc())
        << "--shard is supported for the CPU target only (the GPU pipelines "
           "do not lower collectives yet)";
    return CompileStatus::Unsupported;
  }
  if (options.shard.ranks() > 1) {
    begin("shard");
    DistributeOptions distribute;
    distribute.tp = options.shard.tp;
    distribute.dp = options.shard.dp;
    if (failed(runPasses(module, options, [&](OpPassManager &pm) {
          buildDistributePipeline(pm, distribute);
        })))
      return CompileStatus::Failure;
    if (options.afterStage)
      options.afterStage("shard", module);
  }
  if (!options.topology.empty()) {
    begin("topology");
    LowerTopologyOptions lower;
    lower.topology = options.topology;
    lower.report = options.topologyReport;
    // An unreadable or inconsistent file, or a rank count that differs from
    // the grid's, is reported by the pass with the field or op named.
    if (failed(runPasses(module, options, [&](OpPassManager &pm) {
          pm.addPass(createLowerTopology(lower));
        })))
      return CompileStatus::Invalid;
    if (options.afterStage)
      options.afterStage("topology", module);
  }
  // The rank count the artifact needs: that of its largest grid (also for
  // hand-written shard/dsc IR).
  for (auto grid : module.getOps<shard::GridOp>()) {
    int64_t size = 1;
    for (int64_t dim : grid.getShape())
      size *= dim;
    metadata->ranks = std::max(metadata->ranks, size);
  }

  if (options.targetKind != TargetKind::CPU) {
    // Host code + embedded kernels, written by the CPU artifact writer.
    if (CompileStatus status = lowerToGPUArtifactIR(module, options);
        status != CompileStatus::Success)
      return status;
  } else {
    begin("llvm");
    if (failed(runPasses(module, options, [&](OpPassManager &pm) {
          buildCPULoweringPipeline(pm, options.target);
        })))
      return CompileStatus::Failure;
  }
  if (options.afterStage)
    options.afterStage("llvm", module);

  begin("codegen");
  if (failed(writeCPUArtifact(module, *metadata, artifactPath,
                              options.target)))
    return CompileStatus::Failure;
  return CompileStatus::Success;
}

bool ds::parseShardOptions(StringRef spec, ShardOptions &options,
                           std::string &error) {
  SmallVector<StringRef> items;
  spec.split(items, ",", -1, /*KeepEmpty=*/false);
  SmallVector<StringRef> words;
  for (StringRef item : items)
    item.split(words, " ", -1, /*KeepEmpty=*/false);
  if (words.empty()) {
    error = "expected tp=N and/or dp=M";
    return false;
  }
  for (StringRef word : words) {
    auto [key, value] = word.split('=');
    int64_t degree = 0;
    if ((key != "tp" && key != "dp") || value.getAsInteger(10, degree) ||
        degree < 1) {
      error = ("expected tp=N or dp=M with N, M >= 1, found '" + word + "'")
                  .str();
      return false;
    }
    (key == "tp" ? options.tp : options.dp) = degree;
  }
  return true;
}

CompileStatus ds::compileFile(StringRef modelPath, MLIRContext &context,
                              const CompileOptions &options,
                              StringRef artifactPath) {
  OwningOpRef<ModuleOp> module;
  if (options.beforeStage)
    options.beforeStage("import");
  CompileStatus status = loadModel(modelPath, context, module);
  if (status != CompileStatus::Success)
    return status;
  return compileModel(*module, options, artifactPath);
}
