//===- FlashAttentionLayout.h - per-lane index math of the mma kernel -----===//
//
// The tensor-core flash-attention kernel (FlashAttentionTensorCore.cpp)
// computes every shared-memory address and every output position from the
// lane's id with the formulas below. They are templates over the index type
// so that the kernel builder instantiates them on IR values (each operator
// emits an arith op) and the unit test (test/unit/gpu/
// FlashAttentionLayoutTest.cpp) instantiates them on integers and replays a
// whole tile of the kernel on the CPU, with ldmatrix and mma.sync emulated
// from the PTX ISA's fragment descriptions, against a reference attention.
// One definition, so the test checks the formulas the kernel uses.
//
// Fragment layouts (NVIDIA PTX ISA, "Warp Level Matrix Multiply-Accumulate
// Instructions": the figures of "Matrix Fragments for mma.m16n8k16 with
// floating point type" for A, B and C/D, and the instruction "ldmatrix";
// sections 9.7.14.5.8 and 9.7.14.5.15 in the PTX ISA 8.x numbering), with
// lane = 4·g + t (g = lane / 4, t = lane % 4):
//
//   A (16×16, row):  a0a1 = (g, 2t..2t+1)    a2a3 = (g+8, 2t..2t+1)
//                    a4a5 = (g, 2t+8..)      a6a7 = (g+8, 2t+8..)
//   B (16×8, col):   b0b1 = (k = 2t..2t+1, n = g)  b2b3 = (k = 2t+8.., n = g)
//   C/D (16×8):      c0c1 = (g, 2t..2t+1)    c2c3 = (g+8, 2t..2t+1)
//
//   ldmatrix .x1/.x2/.x4: matrix i takes its eight row addresses from lanes
//   8i..8i+7; lane l receives, of each matrix, row l/4, elements 2(l%4) and
//   2(l%4)+1 (with .trans: column l/4, rows 2(l%4) and 2(l%4)+1).
//
// Hence C of the 16×8 tiles 2j and 2j+1 of S = Q·Kᵀ is, pairwise, the A
// fragment of keys 16j..16j+15 in P·V: (c0c1, c2c3) of tile 2j are (a0a1,
// a2a3), those of tile 2j+1 are (a4a5, a6a7). P never leaves registers.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_FLASHATTENTIONLAYOUT_H
#define DS_LIB_TARGET_GPU_FLASHATTENTIONLAYOUT_H

#include <cstdint>

namespace mlir::ds::flash {

/// Query rows per block (16 per warp), keys per staged tile, warps.
constexpr int64_t kTileQ = 64;
constexpr int64_t kTileKV = 64;
constexpr int64_t kWarps = 4;
constexpr int64_t kRowsPerWarp = kTileQ / kWarps;
/// Padding of each shared row, in 16-bit elements (16 bytes): with rows of
/// D + 8 elements (D a multiple of 16), the eight 16-byte rows one ldmatrix
/// matrix reads start in distinct groups of four banks.
constexpr int64_t kRowPad = 8;

/// ldmatrix.x4 of the Q tile (rows = query rows of the warp, columns = head
/// dimension) for the k-step `kk` (columns 16kk..16kk+15): lanes 0-15 give
/// rows 0-15 at column 0, lanes 16-31 the same rows at column 8, so the
/// four matrices come back as a0a1, a2a3, a4a5, a6a7.
template <typename T> T qLdmatrixRow(T warp, T lane) {
  return warp * kRowsPerWarp + lane % 16;
}
template <typename T> T qLdmatrixCol(T lane, int64_t kk) {
  return lane / 16 * 8 + kk * 16;
}

/// ldmatrix.x2 (not transposed) of the K tile (rows = keys, columns = head
/// dimension) for the 8 keys of S tile `n` and k-step `kk`: lanes 0-7 give
/// keys 8n..8n+7 at column 16kk, lanes 8-15 the same keys at 16kk + 8
/// (lanes 16-31 repeat them: their addresses are ignored but stay in
/// bounds). Lane l gets K[8n + l/4][16kk + 2(l%4)..], i.e. b0b1 (and b2b3
/// from the second matrix) of Kᵀ.
template <typename T> T kLdmatrixRow(T lane, int64_t n) {
  return lane % 8 + n * 8;
}
template <typename T> T kLdmatrixCol(T lane, int64_t kk) {
  return lane / 8 % 2 * 8 + kk * 16;
}

/// ldmatrix.x2.trans of the V tile (rows = keys, columns = value dimension)
/// for keys 16kk..16kk+15 and value columns 8n..8n+7: lanes 0-15 give the
/// sixteen key rows (lanes 16-31 repeat them); transposed, lane l gets
/// V[16kk + 2(l%4)..][8n + l/4] = b0b1 and the same 8 keys further, b2b3.
template <typename T> T vLdmatrixRow(T lane, int64_t kk) {
  return lane % 16 + kk * 16;
}
inline int64_t vLdmatrixCol(int64_t n) { return n * 8; }

/// The query row (within the block's 64-row tile) of accumulator row
/// `half` (0: c0c1, 1: c2c3) of the lane.
template <typename T> T accRow(T warp, T lane, int64_t half) {
  return warp * kRowsPerWarp + lane / 4 + half * 8;
}
/// The column (key within the tile for S, value column for O) of element
/// `c` (0 or 1) of the lane's accumulator pair in 8-column tile `n`.
template <typename T> T accCol(T lane, int64_t n, int64_t c) {
  return lane % 4 * 2 + n * 8 + c;
}

/// The lanes that hold the same accumulator rows differ in their two low
/// bits: a row's maximum and sum are reduced with shuffle-xor over these.
constexpr int32_t kRowShuffleOffsets[] = {1, 2};

} // namespace mlir::ds::flash

#endif // DS_LIB_TARGET_GPU_FLASHATTENTIONLAYOUT_H
