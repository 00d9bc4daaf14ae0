//===- WarpgroupLayout.h - index math of the sm_90a wgmma matmul kernel ---===//
//
// The warpgroup-MMA matmul kernel (WarpgroupMatmul.cpp) computes every
// shared-memory address, every matrix descriptor and every output position
// with the formulas below. They are templates over the index type so that
// the kernel builder instantiates them on IR values (each operator emits an
// arith op) and the unit test (test/unit/gpu/WarpgroupLayoutTest.cpp)
// instantiates them on integers and replays one block of the kernel on the
// CPU, with the hardware's descriptor decoding, 128-byte swizzle and
// accumulator layout emulated from the PTX ISA's descriptions, against a
// reference product. One definition, so the test checks what the kernel
// uses.
//
// References (NVIDIA PTX ISA 8.x, "Asynchronous Warpgroup Level Matrix
// Multiply-Accumulate Instructions", section 9.7.15):
//   - "Shared Memory Matrix Layout" / "Strides": K-major operands with the
//     128-byte swizzle are stored as 8-row × 128-byte atoms (1024 bytes);
//     within an atom the 16-byte chunk c of row r sits at chunk c XOR r.
//   - "Matrix Descriptor Format": bits 0-13 start address >> 4, bits 16-29
//     leading dimension byte offset >> 4, bits 32-45 stride dimension byte
//     offset >> 4, bits 49-51 matrix base offset, bits 62-63 swizzle mode
//     (0 none, 1 128-byte, 2 64-byte, 3 32-byte).
//   - "Register Fragments" for .m64nNk16, accumulator D: warp w of the
//     warpgroup holds rows 16w..16w+15; lane 4g + t holds, for each 8-column
//     group j, d[4j..4j+1] = (16w + g, 8j + 2t..2t+1) and d[4j+2..4j+3] =
//     (16w + g + 8, 8j + 2t..2t+1).
//
// Both operands are stored K-major (A as is, B transposed while it is
// copied), 64 elements (128 bytes) of K per row, so one 128B-swizzle atom
// covers 8 rows of a K step and the k16 slices of a step are 32 bytes apart
// in the unswizzled address the descriptor names.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_WARPGROUPLAYOUT_H
#define DS_LIB_TARGET_GPU_WARPGROUPLAYOUT_H

#include <cstdint>

namespace mlir::ds::wgmma {

/// Threads of a warpgroup (four warps); one warpgroup per block.
constexpr int64_t kThreads = 128;
/// Rows of A (and of the block's output tile) per warpgroup: wgmma's M.
constexpr int64_t kTileM = 64;
/// K per staged tile: 64 16-bit elements, one 128-byte swizzled row.
constexpr int64_t kTileK = 64;
/// K of one wgmma.m64nNk16 (f16/bf16).
constexpr int64_t kMmaK = 16;
constexpr int64_t kElementBytes = 2;
constexpr int64_t kRowBytes = kTileK * kElementBytes; // 128
constexpr int64_t kChunkBytes = 16;
constexpr int64_t kChunksPerRow = kRowBytes / kChunkBytes; // 8
/// One 128B-swizzle atom: 8 rows of 128 bytes. Tiles start on a multiple.
constexpr int64_t kAtomBytes = 8 * kRowBytes; // 1024
/// Bytes of the A tile (kTileM rows) and of the B tile (`tileN` rows of Bᵀ).
constexpr int64_t aTileBytes() { return kTileM * kRowBytes; }
constexpr int64_t bTileBytes(int64_t tileN) { return tileN * kRowBytes; }

/// Byte offset, in a K-major tile with the 128-byte swizzle, of the 16-byte
/// chunk `chunk` (0-7: elements 8·chunk..8·chunk+7 of the row's K step) of
/// row `row`.
template <typename T> T swizzledChunkOffset(T row, T chunk) {
  return row * kRowBytes + (chunk ^ (row % 8)) * kChunkBytes;
}
/// Byte offset of element (row, k) of the same tile (k < kTileK).
template <typename T> T swizzledElementOffset(T row, T k) {
  return swizzledChunkOffset(row, k / 8) + k % 8 * kElementBytes;
}

/// The A copy: 16-byte chunk `i` of thread `tid` is row
/// (tid + 128 i) / 8, chunk (tid + 128 i) % 8, so that consecutive threads
/// read consecutive 16 bytes of a row of A. kTileM · 8 / 128 = 4 chunks
/// per thread.
constexpr int64_t kACopiesPerThread = kTileM * kChunksPerRow / kThreads;
template <typename T> T aCopyRow(T tid, int64_t i) {
  return (tid + i * kThreads) / kChunksPerRow;
}
template <typename T> T aCopyChunk(T tid, int64_t i) {
  return (tid + i * kThreads) % kChunksPerRow;
}

/// The B copy (B is K × N row-major; the tile stores Bᵀ, `tileN` rows of
/// 64 k): thread `tid`'s chunk `i` reads the 8 elements n..n+7 of row k of
/// B, with k = (tid + 128 i) / (tileN / 8), n = 8 · ((tid + 128 i) %
/// (tileN / 8)), and stores each at (row n + e, column k) of the tile.
/// tileN is a multiple of 16, so 8 · tileN / 128 chunks per thread.
constexpr int64_t bCopiesPerThread(int64_t tileN) {
  return kTileK * (tileN / 8) / kThreads;
}
template <typename T> T bCopyK(T tid, int64_t i, int64_t tileN) {
  return (tid + i * kThreads) / (tileN / 8);
}
template <typename T> T bCopyN(T tid, int64_t i, int64_t tileN) {
  return (tid + i * kThreads) % (tileN / 8) * 8;
}

/// The 1024-byte-aligned start of the tiles in a shared buffer at byte
/// address `raw` that has kAtomBytes - 1 bytes of slack.
template <typename T> T alignedTileBase(T raw) {
  return (raw + (kAtomBytes - 1)) / kAtomBytes * kAtomBytes;
}

/// The 64-bit descriptor fields besides the start address: leading byte
/// offset 1 (unused by swizzled K-major layouts; the value CUTLASS and the
/// PTX ISA's examples use), stride byte offset 1024 (from one 8-row atom to
/// the next), base offset 0 (the tiles are 1024-byte aligned), swizzle
/// mode 1 (128-byte).
constexpr uint64_t kDescriptorLeadingOffset = 16;
constexpr uint64_t kDescriptorStrideOffset = kAtomBytes;
constexpr uint64_t kDescriptorSwizzle128B = 1;
constexpr uint64_t descriptorHighBits() {
  return (kDescriptorLeadingOffset >> 4) << 16 |
         (kDescriptorStrideOffset >> 4) << 32 | kDescriptorSwizzle128B << 62;
}
/// The low field: the start address (a shared-window byte address, at most
/// 2^18) >> 4. The descriptor is this plus descriptorHighBits() (the
/// fields do not overlap).
template <typename T> T descriptorAddressField(T address) {
  return address % (int64_t(1) << 18) / 16;
}
/// The start address of k16 slice `kk` (0-3) of a tile at `tileBase`: the
/// unswizzled address of row 0, element 16 kk; the hardware applies the
/// swizzle to every row address it derives.
template <typename T> T sliceAddress(T tileBase, int64_t kk) {
  return tileBase + kk * kMmaK * kElementBytes;
}

/// The output position of accumulator register `i` (0 .. tileN/2 - 1) of
/// thread `tid`: row within the 64-row tile, column within the tile.
template <typename T> T accRow(T tid, int64_t i) {
  return tid / 32 * 16 + tid % 32 / 4 + i / 2 % 2 * 8;
}
template <typename T> T accCol(T tid, int64_t i) {
  return tid % 4 * 2 + i / 4 * 8 + i % 2;
}

} // namespace mlir::ds::wgmma

#endif // DS_LIB_TARGET_GPU_WARPGROUPLAYOUT_H
