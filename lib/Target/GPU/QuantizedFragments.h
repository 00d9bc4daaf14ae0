//===- QuantizedFragments.h - mma.m16n8k32 .s8 fragment coordinates ------===//
//
// Where each lane's registers of `mma.sync.aligned.m16n8k32` with 8-bit
// multiplicands sit in the 16 × 32 A, 32 × 8 B and 16 × 8 C/D tiles (PTX
// ISA, "Matrix Fragments for mma.m16n8k32", figures for .s8/.u8 A, B and
// .s32 C/D). Written once over an `Ops` that supplies `div`, `rem`, `add`,
// `mul` with an int64_t right-hand side, so that the kernel generator
// (QuantizedMatmul.cpp, over mlir::Value) and the CPU replay in
// test/unit/gpu/QuantizedFragmentsTest.cpp (over int64_t) compute the same
// formulas.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_TARGET_GPU_QUANTIZEDFRAGMENTS_H
#define DS_LIB_TARGET_GPU_QUANTIZEDFRAGMENTS_H

#include <cstdint>

namespace mlir::ds::s8mma {

/// Elements of A a lane holds (4 b32 registers of 4 bytes), of B (2 × 4)
/// and of C (4 s32).
constexpr int64_t kARegisters = 4, kBRegisters = 2, kBytesPerRegister = 4;

/// groupID = lane >> 2, threadID_in_group = lane % 4.
template <typename Ops, typename V> V group(Ops &o, V lane) {
  return o.div(lane, 4);
}
template <typename Ops, typename V> V inGroup(Ops &o, V lane) {
  return o.rem(lane, 4);
}

/// A register `r` (elements a4r..a4r+3): its row in the 16-row tile
/// (groupID for registers 0 and 2, groupID + 8 for 1 and 3) and its first
/// column (4 · threadID_in_group, + 16 for registers 2 and 3); the four
/// bytes are consecutive columns.
template <typename Ops, typename V> V aRow(Ops &o, V lane, int64_t r) {
  return o.add(group(o, lane), (r & 1) ? 8 : 0);
}
template <typename Ops, typename V> V aColumn(Ops &o, V lane, int64_t r) {
  return o.add(o.mul(inGroup(o, lane), 4), (r & 2) ? 16 : 0);
}

/// B register `r` (elements b4r..b4r+3): its column (groupID) and first
/// row (4 · threadID_in_group, + 16 for register 1); the four bytes are
/// consecutive rows, i.e. consecutive k of one `[N, K]` weight row.
template <typename Ops, typename V> V bColumn(Ops &o, V lane) {
  return group(o, lane);
}
template <typename Ops, typename V> V bRow(Ops &o, V lane, int64_t r) {
  return o.add(o.mul(inGroup(o, lane), 4), r ? 16 : 0);
}

/// C/D element `2h + i`: row groupID (+ 8 for h = 1), column
/// 2 · threadID_in_group + i.
template <typename Ops, typename V> V cRow(Ops &o, V lane, int64_t h) {
  return o.add(group(o, lane), h ? 8 : 0);
}
template <typename Ops, typename V> V cColumn(Ops &o, V lane, int64_t i) {
  return o.add(o.mul(inGroup(o, lane), 2), i);
}

} // namespace mlir::ds::s8mma

#endif // DS_LIB_TARGET_GPU_QUANTIZEDFRAGMENTS_H
