//===- LoopUnrollPolicy.cpp - Keep outer loops of nests rolled ------------===//
//
// See LoopUnrollPolicy.h. The mark is the standard loop metadata that
// `#pragma clang loop unroll(disable)` produces; LLVM's full, partial and
// runtime unrollers and unroll-and-jam all honour it, and loop rotation and
// the vectorizer carry it along.
//
//===----------------------------------------------------------------------===//
#include "ds/Target/CPU/LoopUnrollPolicy.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

using namespace llvm;

/// Whether `loop` already carries an llvm.loop.unroll.* option (a pragma, or
/// an annotation from MLIR's llvm.loop_annotation): that choice stands.
static bool hasUnrollOption(const Loop &loop) {
  MDNode *id = loop.getLoopID();
  if (!id)
    return false;
  for (const MDOperand &operand : llvm::drop_begin(id->operands())) {
    auto *option = dyn_cast<MDNode>(operand);
    if (!option || option->getNumOperands() == 0)
      continue;
    auto *name = dyn_cast<MDString>(option->getOperand(0));
    if (name && name->getString().starts_with("llvm.loop.unroll."))
      return true;
  }
  return false;
}

/// Adds !{"llvm.loop.unroll.disable"} to `loop`'s ID, keeping its other
/// options (a fresh distinct ID if it had none).
static void disableUnrolling(Loop &loop) {
  LLVMContext &ctx = loop.getHeader()->getContext();
  SmallVector<Metadata *> operands;
  operands.push_back(nullptr); // The self-reference, set below.
  if (MDNode *id = loop.getLoopID())
    llvm::append_range(operands, llvm::drop_begin(id->operands()));
  operands.push_back(
      MDNode::get(ctx, MDString::get(ctx, "llvm.loop.unroll.disable")));
  MDNode *newID = MDNode::getDistinct(ctx, operands);
  newID->replaceOperandWith(0, newID);
  loop.setLoopID(newID);
}

unsigned mlir::ds::keepOuterLoopsRolled(Function &function) {
  if (function.isDeclaration())
    return 0;
  DominatorTree domTree(function);
  LoopInfo loopInfo(domTree);
  unsigned marked = 0;
  for (Loop *loop : loopInfo.getLoopsInPreorder()) {
    if (loop->isInnermost() || hasUnrollOption(*loop))
      continue;
    // setLoopID needs the latches' terminators; a loop LoopInfo found always
    // has at least one latch.
    disableUnrolling(*loop);
    ++marked;
  }
  return marked;
}

unsigned mlir::ds::keepOuterLoopsRolled(Module &module) {
  unsigned marked = 0;
  for (Function &function : module)
    marked += keepOuterLoopsRolled(function);
  return marked;
}
