//===- LoopUnrollPolicy.h - Which loops LLVM may fully unroll ---*- C++ -*-===//
//
// ds lowers every linalg op that is not a kernel call to a perfect loop nest
// with constant trip counts. LLVM's O3 pipeline fully unrolls small constant
// nests: a 2x16x64 elementwise op or row reduction becomes one basic block of
// thousands of instructions, and the machine scheduler's cost grows faster
// than linearly with block size (docs/performance.md, "Compile time"). The
// unrolled outer loops buy nothing at run time: the innermost loop is what
// gets vectorized and unrolled for throughput.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_CPU_LOOPUNROLLPOLICY_H
#define DS_TARGET_CPU_LOOPUNROLLPOLICY_H

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace mlir::ds {

/// Marks every loop of `function` that contains another loop with
/// `llvm.loop.unroll.disable`, so that LLVM's unroll passes leave it a loop;
/// innermost loops keep LLVM's default unrolling (full, partial, runtime).
/// A loop whose metadata already says how to unroll it is left as it is.
/// Run on IR before the optimization pipeline: loop nests must still be
/// nests. Returns the number of loops marked.
unsigned keepOuterLoopsRolled(llvm::Function &function);

/// keepOuterLoopsRolled on every function defined in `module`.
unsigned keepOuterLoopsRolled(llvm::Module &module);

} // namespace mlir::ds

#endif // DS_TARGET_CPU_LOOPUNROLLPOLICY_H
