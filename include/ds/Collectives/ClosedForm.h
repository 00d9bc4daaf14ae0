//===- ClosedForm.h - textbook alpha-beta costs -----------------*- C++ -*-===//
//
// The closed forms the simulator is checked against (docs/topology.md gives
// the derivations and sources). p ranks, n bytes per rank, alpha seconds per
// message, beta bytes per second per rank.
//
//   ring all-reduce            2(p-1) a + 2(p-1)/p n/b
//        (Patarasuk & Yuan 2009; Thakur, Rabenseifner, Gropp 2005)
//   recursive halving/doubling 2 log2(p) a + 2(p-1)/p n/b      (p = 2^k)
//        (Rabenseifner 2004; Thakur et al. 2005)
//   double binary tree         2 (h + k - 1) (a + n/(k b)),  h = ceil(log2 p)
//        (Sanders, Speck, Traeff 2009; pipelined in k segments, each tree
//         carrying n/2, so a rank sends two segments of n/(2k) per step)
//   ring reduce-scatter / all-gather   (p-1) a + (p-1)/p n/b
//   2-level hierarchical       RS_ring(d, n; a0, b0) + AR(N, n/d; a1, b1)
//                              + AG_ring(d, n; a0, b0)
//        (d devices per node, N nodes; the inter-node all-reduce runs on all
//         d rails at once, each rank using its own network port)
//
//===----------------------------------------------------------------------===//
#ifndef DS_COLLECTIVES_CLOSEDFORM_H
#define DS_COLLECTIVES_CLOSEDFORM_H

#include <cmath>
#include <cstdint>

namespace ds::coll::closed {

inline double ringAllReduce(int64_t p, double n, double a, double b) {
  return 2.0 * (p - 1) * a + 2.0 * (p - 1) / p * n / b;
}

inline double halvingDoublingAllReduce(int64_t p, double n, double a, double b) {
  return 2.0 * std::log2(static_cast<double>(p)) * a + 2.0 * (p - 1) / p * n / b;
}

inline int64_t treeHeight(int64_t p) {
  int64_t h = 0;
  while ((int64_t(1) << h) < p)
    ++h;
  return h;
}

inline double doubleTreeAllReduce(int64_t p, double n, double a, double b, int64_t k) {
  return 2.0 * (treeHeight(p) + k - 1) * (a + n / (k * b));
}

inline double ringReduceScatter(int64_t p, double n, double a, double b) {
  return (p - 1) * a + static_cast<double>(p - 1) / p * n / b;
}

inline double hier2AllReduce(int64_t d, int64_t nodes, double n, double a0, double b0,
                             double interAllReduce) {
  return 2 * ringReduceScatter(d, n, a0, b0) + interAllReduce;
}

} // namespace ds::coll::closed

#endif // DS_COLLECTIVES_CLOSEDFORM_H
