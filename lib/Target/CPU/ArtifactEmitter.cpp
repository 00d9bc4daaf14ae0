//===- ArtifactEmitter.cpp - LLVM dialect → shared library ---------------===//
//
// Adds the artifact ABI (docs/artifact-abi.md) to a lowered module, compiles
// it with LLVM for the host and links it with ld.lld. Reproducibility: the
// LLVM module has a fixed name, the temporary object's name never reaches
// the output, and the link adds no build id or timestamp.
//
//===----------------------------------------------------------------------===//
#include "ds/Target/CPU/CPUTarget.h"
#include "ds/Target/CPU/LoopUnrollPolicy.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>

using namespace mlir;
using namespace mlir::ds;

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// The lowered parameter types of one memref argument: the expanded ranked
/// descriptor {allocated, aligned, offset, sizes[rank], strides[rank]}.
static void appendDescriptorTypes(MLIRContext *ctx, size_t rank,
                                  SmallVectorImpl<Type> &types) {
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  types.append({ptr, ptr});
  types.append(1 + 2 * rank, i64);
}

/// The LLVM struct of a ranked memref descriptor, as the memref lowering
/// returns it: {ptr, ptr, i64, array<rank x i64>, array<rank x i64>}, or
/// {ptr, ptr, i64} for rank 0.
static Type getDescriptorStructType(MLIRContext *ctx, size_t rank) {
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> fields{ptr, ptr, i64};
  if (rank > 0) {
    auto array = LLVM::LLVMArrayType::get(i64, rank);
    fields.append({array, array});
  }
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

LogicalResult ds::addArtifactEntryPoints(ModuleOp module,
                                         const ArtifactMetadata &metadata,
                                         StringRef entryName) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(entryName);
  if (!entry || entry.isExternal())
    return emitError(loc) << "expected a defined llvm.func @" << entryName
                          << "; run the CPU lowering pipeline first";
  for (StringRef reserved : {"ds_entry", "ds_metadata", "ds_free"})
    if (module.lookupSymbol(reserved))
      return emitError(loc) << "symbol @" << reserved
                            << " already exists; the artifact ABI reserves it";

  LLVM::LLVMFunctionType entryType = entry.getFunctionType();
  bool calleeAllocates =
      metadata.version() == ArtifactMetadata::kDynamicOutputsVersion;
  SmallVector<Type> expected;
  for (const TensorMetadata &tensor : metadata.inputs)
    appendDescriptorTypes(ctx, tensor.shape.size(), expected);
  if (!calleeAllocates) {
    if (!isa<LLVM::LLVMVoidType>(entryType.getReturnType()))
      return entry.emitError()
             << "expected the lowered entry to return nothing, found "
             << entryType.getReturnType()
             << "; outputs of static shape must have become out-parameters";
    for (const TensorMetadata &tensor : metadata.outputs)
      appendDescriptorTypes(ctx, tensor.shape.size(), expected);
  } else {
    // Version 3: the entry returns the outputs' descriptors, one struct
    // {allocated, aligned, offset, sizes[rank], strides[rank]} each, packed
    // into an outer struct when there are several.
    SmallVector<Type> descriptors;
    for (const TensorMetadata &tensor : metadata.outputs)
      descriptors.push_back(getDescriptorStructType(ctx, tensor.shape.size()));
    Type expectedResult = descriptors.size() == 1
                              ? descriptors.front()
                              : LLVM::LLVMStructType::getLiteral(ctx, descriptors);
    if (entryType.getReturnType() != expectedResult)
      return entry.emitError()
             << "expected the lowered entry to return the output descriptors "
             << expectedResult << ", found " << entryType.getReturnType();
  }
  if (ArrayRef<Type>(expected) != entryType.getParams())
    return entry.emitError()
           << "lowered signature does not match the metadata: expected "
              "memref descriptors for "
           << metadata.inputs.size() << " inputs"
           << (calleeAllocates ? "" : " and ")
           << (calleeAllocates ? "" : std::to_string(metadata.outputs.size()) +
                                          " outputs")
           << " (" << expected.size() << " parameters), found "
           << entryType.getNumParams() << " parameters " << entryType;

  // Export only the ABI: internal functions also let LLVM inline the entry
  // into ds_entry and drop it.
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      func.setLinkage(LLVM::Linkage::Internal);

  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto i8 = IntegerType::get(ctx, 8);
  auto i64 = IntegerType::get(ctx, 64);
  auto ptr = LLVM::LLVMPointerType::get(ctx);

  std::string json = metadata.toJSON();
  json.push_back('\0');
  LLVM::GlobalOp::create(builder, loc, LLVM::LLVMArrayType::get(i8, json.size()),
                         /*isConstant=*/true, LLVM::Linkage::External,
                         "ds_metadata", builder.getStringAttr(json));

  // int32_t ds_entry(void **args): args[i] points to descriptor i; every
  // field is 8 bytes wide, so field k is at i64 index k. The result is the
  // status of the run: that of the first failing collective (the
  // ds_collective_status global written by lowered dsc ops), else 0.
  auto i32 = IntegerType::get(ctx, 32);
  auto entryFnType = LLVM::LLVMFunctionType::get(i32, {ptr});
  auto dsEntry =
      LLVM::LLVMFuncOp::create(builder, loc, "ds_entry", entryFnType);
  Block *body = dsEntry.addEntryBlock(builder);
  builder.setInsertionPointToStart(body);
  Value args = body->getArgument(0);
  // The address of descriptor i, and of its field k (every field is 8
  // bytes wide, so field k is at i64 index k).
  auto descriptorAddress = [&](size_t i) {
    Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, args,
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
    return LLVM::LoadOp::create(builder, loc, ptr, slot).getResult();
  };
  auto fieldAddress = [&](Value descriptor, size_t field) {
    return LLVM::GEPOp::create(builder, loc, ptr, i64, descriptor,
                               ArrayRef<LLVM::GEPArg>{int32_t(field)})
        .getResult();
  };
  SmallVector<Value> operands;
  size_t numParams = metadata.inputs.size() +
                     (calleeAllocates ? 0 : metadata.outputs.size());
  for (size_t i = 0; i < numParams; ++i) {
    size_t rank = i < metadata.inputs.size()
                      ? metadata.inputs[i].shape.size()
                      : metadata.outputs[i - metadata.inputs.size()].shape.size();
    Value descriptor = descriptorAddress(i);
    for (size_t field = 0, e = 3 + 2 * rank; field < e; ++field) {
      Type fieldType = field < 2 ? Type(ptr) : Type(i64);
      operands.push_back(LLVM::LoadOp::create(
          builder, loc, fieldType, fieldAddress(descriptor, field)));
    }
  }
  auto statusGlobal =
      module.lookupSymbol<LLVM::GlobalOp>("ds_collective_status");
  Value statusAddress;
  if (statusGlobal) {
    statusAddress = LLVM::AddressOfOp::create(builder, loc, statusGlobal);
    LLVM::StoreOp::create(builder, loc,
                          LLVM::ConstantOp::create(builder, loc, i32, 0),
                          statusAddress);
  }
  auto call = LLVM::CallOp::create(builder, loc, entry, operands);
  if (calleeAllocates) {
    // Write each returned descriptor into the caller's descriptor i.
    size_t numOutputs = metadata.outputs.size();
    for (size_t o = 0; o < numOutputs; ++o) {
      Value descriptor = call.getResult();
      if (numOutputs > 1)
        descriptor = LLVM::ExtractValueOp::create(builder, loc, descriptor,
                                                  ArrayRef<int64_t>{int64_t(o)});
      size_t rank = metadata.outputs[o].shape.size();
      Value target = descriptorAddress(metadata.inputs.size() + o);
      for (int64_t field = 0; field < 3; ++field)
        LLVM::StoreOp::create(
            builder, loc,
            LLVM::ExtractValueOp::create(builder, loc, descriptor,
                                         ArrayRef<int64_t>{field}),
            fieldAddress(target, field));
      for (int64_t d = 0; d < int64_t(rank); ++d)
        for (int64_t array : {3, 4})
          LLVM::StoreOp::create(
              builder, loc,
              LLVM::ExtractValueOp::create(builder, loc, descriptor,
                                           ArrayRef<int64_t>{array, d}),
              fieldAddress(target, 3 + (array - 3) * rank + d));
    }
  }
  Value status = statusGlobal
                     ? LLVM::LoadOp::create(builder, loc, i32, statusAddress)
                           .getResult()
                     : LLVM::ConstantOp::create(builder, loc, i32, 0)
                           .getResult();
  LLVM::ReturnOp::create(builder, loc, status);

  if (calleeAllocates) {
    // void ds_free(void *allocated): releases an output buffer, with the
    // deallocation function of the artifact's memref.alloc lowering (MLIR's
    // generic `_mlir_memref_to_llvm_free`, which libdsrt provides: its
    // blocks carry a header, so plain free() would be wrong).
    builder.setInsertionPointToEnd(module.getBody());
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto freeFn =
        module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_memref_to_llvm_free");
    if (!freeFn)
      freeFn = LLVM::LLVMFuncOp::create(
          builder, loc, "_mlir_memref_to_llvm_free",
          LLVM::LLVMFunctionType::get(voidType, {ptr}));
    auto dsFree = LLVM::LLVMFuncOp::create(
        builder, loc, "ds_free", LLVM::LLVMFunctionType::get(voidType, {ptr}));
    Block *freeBody = dsFree.addEntryBlock(builder);
    builder.setInsertionPointToStart(freeBody);
    LLVM::CallOp::create(builder, loc, freeFn, freeBody->getArgument(0));
    LLVM::ReturnOp::create(builder, loc, ValueRange());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

static llvm::OptimizationLevel getOptimizationLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::OptimizationLevel::O0;
  case 1:
    return llvm::OptimizationLevel::O1;
  case 2:
    return llvm::OptimizationLevel::O2;
  default:
    return llvm::OptimizationLevel::O3;
  }
}

/// Creates the TargetMachine for `options` (the host by default).
static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(Location loc, const CPUTargetOptions &options) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    emitError(loc) << "no LLVM target for " << triple.str() << ": " << error;
    return nullptr;
  }
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty()) {
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty()) {
      llvm::SubtargetFeatures hostFeatures;
      // Iterate in sorted order: StringMap order is unspecified, and the
      // feature string ends up in the object's function attributes.
      llvm::StringMap<bool> map = llvm::sys::getHostCPUFeatures();
      SmallVector<StringRef> names;
      for (const auto &feature : map)
        names.push_back(feature.getKey());
      llvm::sort(names);
      for (StringRef name : names)
        hostFeatures.AddFeature(name, map.lookup(name));
      // Host CPU models with AVX-512 tune for 256-bit vectors to avoid
      // frequency drops on older parts; for dense tensor loops the wider
      // vectors measured faster on this class of machine (docs/performance.md).
      if (triple.isX86() && map.lookup("avx512f"))
        hostFeatures.AddFeature("prefer-256-bit", false);
      features = hostFeatures.getString();
    }
  }
  llvm::TargetOptions targetOptions;
  // Constructors (a GPU artifact loads its kernels in one) must go to
  // .init_array: artifacts link without crtbegin, which .ctors needs.
  targetOptions.UseInitArray = true;
  // Fuse multiply-adds, as hand-written kernels (and ONNX Runtime's) do: one
  // rounding instead of two, and twice the arithmetic per instruction.
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      getCodeGenOptLevel(options.optLevel)));
  if (!machine)
    emitError(loc) << "cannot create an LLVM target machine for "
                   << triple.str() << " (cpu '" << cpu << "')";
  return machine;
}

LogicalResult ds::emitObject(ModuleOp module, const CPUTargetOptions &options,
                             llvm::raw_pwrite_stream &os) {
  Location loc = module.getLoc();
  MLIRContext *ctx = module.getContext();
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);

  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(loc, options);
  if (!machine)
    return failure();

  llvm::LLVMContext llvmContext;
  // A fixed module name: it becomes the object's STT_FILE symbol.
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "ds_artifact");
  if (!llvmModule)
    return emitError(loc) << "translation to LLVM IR failed";
  llvmModule->setSourceFileName("ds_artifact");
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  // Before the pipeline, while loop nests are still nests: fully unrolled
  // small nests made blocks of thousands of instructions that the machine
  // scheduler took most of the compile time on, for no run-time gain.
  if (options.keepOuterLoopsRolled && options.optLevel > 0)
    keepOuterLoopsRolled(*llvmModule);

  // The new pass manager's default pipeline, with the target's cost model
  // so loops are vectorized for the host's vector width.
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = options.optLevel > 1;
  tuning.SLPVectorization = options.optLevel > 1;
  llvm::PassBuilder passBuilder(machine.get(), tuning);
  passBuilder.registerModuleAnalyses(mam);
  passBuilder.registerCGSCCAnalyses(cgam);
  passBuilder.registerFunctionAnalyses(fam);
  passBuilder.registerLoopAnalyses(lam);
  passBuilder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = getOptimizationLevel(options.optLevel);
  llvm::ModulePassManager mpm =
      level == llvm::OptimizationLevel::O0
          ? passBuilder.buildO0DefaultPipeline(level)
          : passBuilder.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);

  if (options.llvmIRDump)
    llvmModule->print(*options.llvmIRDump, /*AAW=*/nullptr);

  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, /*DwoOut=*/nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "the LLVM target cannot emit object files";
  codegen.run(*llvmModule);
  return success();
}

//===----------------------------------------------------------------------===//
// Linking
//===----------------------------------------------------------------------===//

LogicalResult ds::linkSharedLibrary(Location loc, StringRef objectPath,
                                    StringRef outputPath,
                                    const CPUTargetOptions &options) {
  std::string linker = options.linkerPath.empty() ? std::string(DS_LLD_PATH)
                                                  : options.linkerPath;
  if (!llvm::sys::fs::can_execute(linker))
    return emitError(loc) << "linker '" << linker
                          << "' not found or not executable";

  SmallVector<StringRef> args = {linker,
                                 "-shared",
                                 "--build-id=none",
                                 "-z",
                                 "noexecstack",
                                 "-z",
                                 "now",
                                 "-o",
                                 outputPath,
                                 objectPath};
  // Record libm as DT_NEEDED: the artifact may call erff & co., and a host
  // process that dlopens the runtime with RTLD_LOCAL need not have it in
  // its global scope.
  StringRef libm = DS_LIBM_PATH;
  if (!libm.empty() && !libm.ends_with("NOTFOUND"))
    args.push_back(libm);
  // The runtime provides the kernels that ds-cpu-use-microkernels calls;
  // recorded (by its soname) only when the artifact calls one. The process
  // that loads the artifact through dsrt has it loaded already. Where this
  // build's runtime is missing (a relocated install), the references stay
  // undefined and resolve against the runtime the host process loaded.
  StringRef runtime = DS_RUNTIME_PATH;
  if (!runtime.empty() && llvm::sys::fs::exists(runtime)) {
    args.push_back("--as-needed");
    args.push_back(runtime);
  }

  SmallString<128> errorPath;
  int errorFd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "ds-link", "txt", errorFd, errorPath))
    return emitError(loc) << "cannot create a temporary file: "
                          << ec.message();
  llvm::sys::Process::SafelyCloseFileDescriptor(errorFd);
  llvm::FileRemover errorRemover(errorPath);

  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(errorPath),
                                          StringRef(errorPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(linker, args, /*Env=*/std::nullopt,
                                     redirects, /*SecondsToWait=*/0,
                                     /*MemoryLimit=*/0, &message);
  if (rc == 0)
    return success();

  InFlightDiagnostic diag = emitError(loc)
                            << "linking '" << outputPath << "' failed";
  if (!message.empty())
    diag << ": " << message;
  if (auto output = llvm::MemoryBuffer::getFile(errorPath))
    diag << "\n" << (*output)->getBuffer().rtrim();
  return diag;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

LogicalResult ds::emitCPUArtifact(ModuleOp module,
                                  const ArtifactMetadata &metadata,
                                  StringRef outputPath,
                                  const CPUTargetOptions &options) {
  Location loc = module.getLoc();
  if (!module.lookupSymbol<func::FuncOp>(options.entryName))
    return emitError(loc) << "expected a func.func @" << options.entryName
                          << " to compile";

  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  buildCPULoweringPipeline(pm, options);
  if (failed(pm.run(module)))
    return emitError(loc) << "CPU lowering pipeline failed";
  return writeCPUArtifact(module, metadata, outputPath, options);
}

LogicalResult ds::writeCPUArtifact(ModuleOp module,
                                   const ArtifactMetadata &metadata,
                                   StringRef outputPath,
                                   const CPUTargetOptions &options) {
  Location loc = module.getLoc();
  if (failed(addArtifactEntryPoints(module, metadata, options.entryName)))
    return failure();

  SmallString<128> objectPath;
  int objectFd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "ds-artifact", "o", objectFd, objectPath))
    return emitError(loc) << "cannot create a temporary object file: "
                          << ec.message();
  llvm::FileRemover objectRemover(objectPath);
  {
    llvm::raw_fd_ostream os(objectFd, /*shouldClose=*/true);
    if (failed(emitObject(module, options, os)))
      return failure();
    os.close();
    if (os.has_error())
      return emitError(loc) << "cannot write '" << objectPath
                            << "': " << os.error().message();
  }
  return linkSharedLibrary(loc, objectPath, outputPath, options);
}
