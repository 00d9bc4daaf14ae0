//===- Core.cpp - Collective groups, reductions and step plans -----------===//
#include "Core.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <sstream>

namespace dsrt::coll {

const char *kindName(Kind kind) {
  switch (kind) {
  case Kind::AllReduce: return "all_reduce";
  case Kind::AllGather: return "all_gather";
  case Kind::ReduceScatter: return "reduce_scatter";
  case Kind::AllToAll: return "all_to_all";
  case Kind::Broadcast: return "broadcast";
  }
  return "?";
}

const char *algorithmName(int32_t algorithm) {
  switch (algorithm) {
  case DSRT_ALGO_AUTO: return "auto";
  case DSRT_ALGO_RING: return "ring";
  case DSRT_ALGO_TREE: return "tree";
  case DSRT_ALGO_RABENSEIFNER: return "rabenseifner";
  case DSRT_ALGO_HIER2: return "hier2";
  case DSRT_ALGO_HIER3: return "hier3";
  case DSRT_ALGO_NATIVE: return "native";
  }
  return "invalid";
}

const char *reductionName(int32_t reduction) {
  switch (reduction) {
  case DSRT_RED_SUM: return "sum";
  case DSRT_RED_PROD: return "prod";
  case DSRT_RED_MAX: return "max";
  case DSRT_RED_MIN: return "min";
  }
  return "invalid";
}

size_t dtypeSize(int32_t dtype) {
  switch (dtype) {
  case DSRT_F32: case DSRT_I32: case DSRT_U32: return 4;
  case DSRT_F64: case DSRT_I64: case DSRT_U64: return 8;
  case DSRT_F16: case DSRT_BF16: case DSRT_I16: case DSRT_U16: return 2;
  case DSRT_I8: case DSRT_U8: case DSRT_BOOL: return 1;
  default: return 0;
  }
}

//===----------------------------------------------------------------------===//
// Groups
//===----------------------------------------------------------------------===//

bool computeGroup(int worldRank, int worldSize, const int64_t *meshShape,
                  int32_t meshNdim, const int32_t *axes, int32_t numAxes,
                  Group &group, std::string &error) {
  if (meshNdim < 0 || (meshNdim > 0 && !meshShape)) {
    error = "mesh: rank " + std::to_string(meshNdim) + " with " +
            (meshShape ? "a" : "no") + " shape";
    return false;
  }
  if (numAxes < 0 || (numAxes > 0 && !axes)) {
    error = "axes: " + std::to_string(numAxes) + " axes with no array";
    return false;
  }
  int64_t total = 1;
  for (int32_t i = 0; i < meshNdim; ++i) {
    if (meshShape[i] <= 0) {
      error = "mesh dimension " + std::to_string(i) + " has size " +
              std::to_string(meshShape[i]) + " (must be > 0)";
      return false;
    }
    total *= meshShape[i];
    if (total > (int64_t(1) << 31)) {
      error = "mesh has more than 2^31 devices";
      return false;
    }
  }
  if (total != worldSize) {
    std::ostringstream os;
    os << "mesh [";
    for (int32_t i = 0; i < meshNdim; ++i)
      os << (i ? "x" : "") << meshShape[i];
    os << "] has " << total << " devices but the world has " << worldSize
       << " ranks";
    error = os.str();
    return false;
  }
  std::vector<bool> used(meshNdim, false);
  for (int32_t i = 0; i < numAxes; ++i) {
    if (axes[i] < 0 || axes[i] >= meshNdim) {
      error = "axis " + std::to_string(axes[i]) + " is out of range for a " +
              std::to_string(meshNdim) + "-d mesh";
      return false;
    }
    if (used[axes[i]]) {
      error = "axis " + std::to_string(axes[i]) + " is repeated";
      return false;
    }
    used[axes[i]] = true;
  }
  if (worldRank < 0 || worldRank >= worldSize) {
    error = "rank " + std::to_string(worldRank) + " is outside the world";
    return false;
  }
  // Coordinates of the calling rank (row-major).
  std::vector<int64_t> coord(meshNdim), stride(meshNdim);
  int64_t rest = worldRank, s = 1;
  for (int32_t i = meshNdim - 1; i >= 0; --i) {
    stride[i] = s;
    s *= meshShape[i];
    coord[i] = rest % meshShape[i];
    rest /= meshShape[i];
  }
  // Enumerate the group: iterate the `axes` coordinates, last axis fastest.
  int64_t groupSize = 1;
  for (int32_t i = 0; i < numAxes; ++i)
    groupSize *= meshShape[axes[i]];
  group.members.assign(groupSize, 0);
  group.index = 0;
  int64_t base = worldRank;
  for (int32_t i = 0; i < numAxes; ++i)
    base -= coord[axes[i]] * stride[axes[i]];
  for (int64_t g = 0; g < groupSize; ++g) {
    int64_t r = base, gi = g;
    for (int32_t i = numAxes - 1; i >= 0; --i) {
      int64_t c = gi % meshShape[axes[i]];
      gi /= meshShape[axes[i]];
      r += c * stride[axes[i]];
    }
    group.members[g] = static_cast<int>(r);
    if (r == worldRank)
      group.index = static_cast<int>(g);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {
float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else { // subnormal
      float f = std::ldexp(static_cast<float>(man), -24);
      return sign ? -f : f;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) // inf / nan
    return sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0);
  if (absx >= 0x477ff000u) // overflow after rounding
    return sign | 0x7c00;
  if (absx < 0x38800000u) { // subnormal or zero in half
    float a;
    std::memcpy(&a, &absx, 4);
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  uint32_t mant = absx & 0x7fffff, exp = (absx >> 23) - 112;
  uint32_t h = (exp << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
    ++h; // round to nearest even (may carry into the exponent: correct)
  return sign | static_cast<uint16_t>(h);
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x40);
  uint32_t lsb = (x >> 16) & 1;
  return static_cast<uint16_t>((x + 0x7fff + lsb) >> 16);
}

template <typename T> T apply(T a, T b, int32_t reduction) {
  switch (reduction) {
  case DSRT_RED_SUM: return static_cast<T>(a + b);
  case DSRT_RED_PROD: return static_cast<T>(a * b);
  case DSRT_RED_MAX: return a < b ? b : a;
  default: return b < a ? b : a;
  }
}

template <typename T>
void reduceTyped(void *dst, const void *src, int64_t count, int32_t reduction) {
  T *d = static_cast<T *>(dst);
  const T *s = static_cast<const T *>(src);
  for (int64_t i = 0; i < count; ++i)
    d[i] = apply<T>(d[i], s[i], reduction);
}

template <float (*Load)(uint16_t), uint16_t (*Store)(float)>
void reduceHalf(void *dst, const void *src, int64_t count, int32_t reduction) {
  uint16_t *d = static_cast<uint16_t *>(dst);
  const uint16_t *s = static_cast<const uint16_t *>(src);
  for (int64_t i = 0; i < count; ++i)
    d[i] = Store(apply<float>(Load(d[i]), Load(s[i]), reduction));
}
} // namespace

bool reductionSupported(int32_t dtype, int32_t reduction) {
  if (reduction < DSRT_RED_SUM || reduction > DSRT_RED_MIN)
    return false;
  return dtypeSize(dtype) != 0;
}

bool reduceInto(void *dst, const void *src, int64_t count, int32_t dtype,
                int32_t reduction) {
  if (!reductionSupported(dtype, reduction))
    return false;
  switch (dtype) {
  case DSRT_F32: reduceTyped<float>(dst, src, count, reduction); break;
  case DSRT_F64: reduceTyped<double>(dst, src, count, reduction); break;
  case DSRT_I8: reduceTyped<int8_t>(dst, src, count, reduction); break;
  case DSRT_U8: reduceTyped<uint8_t>(dst, src, count, reduction); break;
  case DSRT_I16: reduceTyped<int16_t>(dst, src, count, reduction); break;
  case DSRT_U16: reduceTyped<uint16_t>(dst, src, count, reduction); break;
  case DSRT_I32: reduceTyped<int32_t>(dst, src, count, reduction); break;
  case DSRT_U32: reduceTyped<uint32_t>(dst, src, count, reduction); break;
  case DSRT_I64: reduceTyped<int64_t>(dst, src, count, reduction); break;
  case DSRT_U64: reduceTyped<uint64_t>(dst, src, count, reduction); break;
  case DSRT_F16: reduceHalf<halfToFloat, floatToHalf>(dst, src, count, reduction); break;
  case DSRT_BF16: reduceHalf<bf16ToFloat, floatToBf16>(dst, src, count, reduction); break;
  case DSRT_BOOL: {
    // Logical: sum/max = or, prod/min = and.
    uint8_t *d = static_cast<uint8_t *>(dst);
    const uint8_t *s = static_cast<const uint8_t *>(src);
    bool isOr = reduction == DSRT_RED_SUM || reduction == DSRT_RED_MAX;
    for (int64_t i = 0; i < count; ++i)
      d[i] = isOr ? (d[i] || s[i]) : (d[i] && s[i]);
    break;
  }
  default: return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Plans
//===----------------------------------------------------------------------===//

int64_t Plan::maxTempElems() const {
  int64_t best = 0;
  for (const Round &round : rounds) {
    int64_t sum = 0;
    for (const Xfer &x : round.recvs)
      if (x.reduce)
        sum += x.count;
    best = std::max(best, sum);
  }
  return best;
}

int64_t Plan::numMessages() const {
  int64_t n = 0;
  for (const Round &round : rounds)
    n += static_cast<int64_t>(round.sends.size() + round.recvs.size());
  return n;
}

namespace {
/// Rounds of one phase; every rank of the participating sub-group gets the
/// same number of rounds (padded with empty ones) so that phases of
/// different chunks can be interleaved (see `mergeWavefront`).
using Phase = std::vector<Round>;

/// Start of block `i` when [base, base+len) is cut into `n` near-equal
/// blocks (uneven counts allowed; blocks may be empty).
int64_t blockStart(int64_t base, int64_t len, int n, int i) {
  return base + (len * i) / n;
}

Xfer xfer(int peer, int64_t off, int64_t cnt, bool reduce = false,
          Buf buf = Buf::Work) {
  Xfer x;
  x.peer = peer;
  x.buf = buf;
  x.offset = off;
  x.count = cnt;
  x.reduce = reduce;
  return x;
}

void addSend(Round &r, int peer, int64_t off, int64_t cnt) {
  if (cnt > 0)
    r.sends.push_back(xfer(peer, off, cnt));
}
void addRecv(Round &r, int peer, int64_t off, int64_t cnt, bool reduce) {
  if (cnt > 0)
    r.recvs.push_back(xfer(peer, off, cnt, reduce));
}

int mod(int a, int n) { return ((a % n) + n) % n; }

/// Ring reduce-scatter over `m` (world ranks), rank `me`, of the region
/// [base, base+len) cut into m blocks: afterwards block `me` is reduced.
Phase ringReduceScatter(const std::vector<int> &m, int me, int64_t base,
                        int64_t len) {
  int n = static_cast<int>(m.size());
  Phase phase(std::max(0, n - 1));
  for (int s = 0; s + 1 < n; ++s) {
    int sb = mod(me - s - 1, n), rb = mod(me - s - 2, n);
    Round &r = phase[s];
    int64_t so = blockStart(base, len, n, sb), ro = blockStart(base, len, n, rb);
    addRecv(r, m[mod(me - 1, n)], ro, blockStart(base, len, n, rb + 1) - ro, true);
    addSend(r, m[mod(me + 1, n)], so, blockStart(base, len, n, sb + 1) - so);
  }
  return phase;
}

/// Ring all-gather of blocks (block `me` is present beforehand).
Phase ringAllGather(const std::vector<int> &m, int me, int64_t base,
                    int64_t len) {
  int n = static_cast<int>(m.size());
  Phase phase(std::max(0, n - 1));
  for (int s = 0; s + 1 < n; ++s) {
    int sb = mod(me - s, n), rb = mod(me - s - 1, n);
    Round &r = phase[s];
    int64_t so = blockStart(base, len, n, sb), ro = blockStart(base, len, n, rb);
    addRecv(r, m[mod(me - 1, n)], ro, blockStart(base, len, n, rb + 1) - ro, false);
    addSend(r, m[mod(me + 1, n)], so, blockStart(base, len, n, sb + 1) - so);
  }
  return phase;
}

int ceilLog2(int n) {
  int l = 0;
  while ((1 << l) < n)
    ++l;
  return l;
}

/// Binomial-tree broadcast of [off, off+len) from index `root`.
Phase treeBroadcast(const std::vector<int> &m, int me, int root, int64_t off,
                    int64_t len) {
  int n = static_cast<int>(m.size()), L = ceilLog2(n);
  int rel = mod(me - root, n);
  Phase phase(L);
  for (int k = 0; k < L; ++k) {
    int mask = 1 << (L - 1 - k);
    if (rel % (2 * mask) == 0 && rel + mask < n)
      addSend(phase[k], m[mod(rel + mask + root, n)], off, len);
    else if (rel % (2 * mask) == mask)
      addRecv(phase[k], m[mod(rel - mask + root, n)], off, len, false);
  }
  return phase;
}

/// An in-order binary tree over positions [lo, hi): the root is the middle
/// position, the halves are its subtrees. Fills parent and depth per
/// position.
void inOrderTree(int lo, int hi, int parent, int depth, std::vector<int> &parentOf,
                 std::vector<int> &depthOf) {
  if (lo >= hi)
    return;
  int mid = lo + (hi - lo) / 2;
  parentOf[mid] = parent;
  depthOf[mid] = depth;
  inOrderTree(lo, mid, mid, depth + 1, parentOf, depthOf);
  inOrderTree(mid + 1, hi, mid, depth + 1, parentOf, depthOf);
}

/// One of the two trees of a double binary tree (Sanders, Speck and
/// Traeff, "Two-tree algorithms for full bandwidth broadcast, reduction and
/// scan", Parallel Computing 2009): an in-order binary tree over the group
/// positions, shifted by `shift`. In an in-order tree the leaves sit at
/// every other position, so shifting the second tree by one makes most
/// leaves of one tree interior nodes of the other and both halves of the
/// data keep every rank's links busy. Reduce to the root, then broadcast,
/// in level-synchronous rounds (the same number on every rank).
Phase binaryTreeAllReduce(const std::vector<int> &m, int me, int shift, int64_t off,
                          int64_t len) {
  int n = static_cast<int>(m.size());
  std::vector<int> parentOf(n, -1), depthOf(n, 0);
  inOrderTree(0, n, -1, 0, parentOf, depthOf);
  int height = 0;
  for (int d : depthOf)
    height = std::max(height, d);
  auto rankAt = [&](int pos) { return m[mod(pos - shift, n)]; };
  int pos = mod(me + shift, n);
  std::vector<int> children;
  for (int q = 0; q < n; ++q)
    if (parentOf[q] == pos)
      children.push_back(q);
  Phase phase(2 * height);
  // Reduce: round k moves data from depth height-k to depth height-k-1.
  for (int k = 0; k < height; ++k) {
    int d = height - k;
    if (depthOf[pos] == d)
      addSend(phase[k], rankAt(parentOf[pos]), off, len);
    if (depthOf[pos] == d - 1)
      for (int c : children)
        addRecv(phase[k], rankAt(c), off, len, true);
  }
  // Broadcast: round k moves data from depth k to depth k+1.
  for (int k = 0; k < height; ++k) {
    if (depthOf[pos] == k)
      for (int c : children)
        addSend(phase[height + k], rankAt(c), off, len);
    if (depthOf[pos] == k + 1)
      addRecv(phase[height + k], rankAt(parentOf[pos]), off, len, false);
  }
  return phase;
}

/// Rabenseifner all-reduce (recursive halving reduce-scatter, recursive
/// doubling all-gather); non-powers of two fold the first 2*rem ranks in
/// pairs first and unfold at the end.
Phase rabenseifnerAllReduce(const std::vector<int> &m, int me, int64_t base,
                            int64_t len) {
  int n = static_cast<int>(m.size());
  int p = 1;
  while (p * 2 <= n)
    p *= 2;
  int rem = n - p, L = ceilLog2(p);
  Phase phase(2 + 2 * L);
  auto actual = [&](int v) { return v < rem ? 2 * v + 1 : v + rem; };
  int v = -1; // index among the p participants
  if (me < 2 * rem) {
    if (me % 2 == 0) {
      addSend(phase[0], m[me + 1], base, len);
    } else {
      addRecv(phase[0], m[me - 1], base, len, true);
      v = me / 2;
    }
  } else {
    v = me - rem;
  }
  if (v >= 0) {
    int lo = 0, hi = p; // blocks kept
    for (int k = 0; k < L; ++k) {
      int d = p >> (k + 1);
      int partner = actual(v ^ d), mid = (lo + hi) / 2;
      int klo = (v & d) ? mid : lo, khi = (v & d) ? hi : mid;
      int slo = (v & d) ? lo : mid, shi = (v & d) ? mid : hi;
      int64_t so = blockStart(base, len, p, slo), se = blockStart(base, len, p, shi);
      int64_t ko = blockStart(base, len, p, klo), ke = blockStart(base, len, p, khi);
      addRecv(phase[1 + k], m[partner], ko, ke - ko, true);
      addSend(phase[1 + k], m[partner], so, se - so);
      lo = klo;
      hi = khi;
    }
    for (int k = 0; k < L; ++k) {
      int d = 1 << k;
      int partner = actual(v ^ d);
      int size = hi - lo;
      int plo = (v & d) ? lo - size : hi, phi = plo + size;
      int64_t so = blockStart(base, len, p, lo), se = blockStart(base, len, p, hi);
      int64_t ro = blockStart(base, len, p, plo), re = blockStart(base, len, p, phi);
      addRecv(phase[1 + L + k], m[partner], ro, re - ro, false);
      addSend(phase[1 + L + k], m[partner], so, se - so);
      lo = std::min(lo, plo);
      hi = std::max(hi, phi);
    }
  }
  if (me < 2 * rem) {
    if (me % 2 == 0)
      addRecv(phase[1 + 2 * L], m[me + 1], base, len, false);
    else
      addSend(phase[1 + 2 * L], m[me - 1], base, len);
  }
  return phase;
}

/// Recursive-halving reduce-scatter for a power-of-two group: block i of
/// [base, base+n*chunk) ends reduced on index i.
Phase halvingReduceScatter(const std::vector<int> &m, int me, int64_t base,
                           int64_t chunk) {
  int p = static_cast<int>(m.size()), L = ceilLog2(p);
  Phase phase(L);
  int lo = 0, hi = p;
  for (int k = 0; k < L; ++k) {
    int d = p >> (k + 1), mid = (lo + hi) / 2;
    bool upper = me & d;
    int klo = upper ? mid : lo, khi = upper ? hi : mid;
    int slo = upper ? lo : mid, shi = upper ? mid : hi;
    addRecv(phase[k], m[me ^ d], base + klo * chunk, (khi - klo) * chunk, true);
    addSend(phase[k], m[me ^ d], base + slo * chunk, (shi - slo) * chunk);
    lo = klo;
    hi = khi;
  }
  return phase;
}

/// Recursive-doubling all-gather for a power-of-two group.
Phase doublingAllGather(const std::vector<int> &m, int me, int64_t base,
                        int64_t chunk) {
  int p = static_cast<int>(m.size()), L = ceilLog2(p);
  Phase phase(L);
  int lo = me, hi = me + 1;
  for (int k = 0; k < L; ++k) {
    int d = 1 << k, size = hi - lo;
    int plo = (me & d) ? lo - size : hi;
    addRecv(phase[k], m[me ^ d], base + plo * chunk, size * chunk, false);
    addSend(phase[k], m[me ^ d], base + lo * chunk, size * chunk);
    lo = std::min(lo, plo);
    hi = std::max(hi, plo + size);
  }
  return phase;
}

void append(Phase &dst, Phase src) {
  for (Round &r : src)
    dst.push_back(std::move(r));
}

/// Interleaves the plans of independent chunks so that chunk c runs its
/// round k in merged round c + k: the phases of consecutive chunks overlap
/// (chunk c+1 does its intra-node reduce-scatter while chunk c crosses
/// nodes). Message order per peer stays consistent because every rank
/// merges the same round structure in the same chunk order.
std::vector<Round> mergeWavefront(const std::vector<Phase> &chunks) {
  size_t depth = 0;
  for (const Phase &c : chunks)
    depth = std::max(depth, c.size());
  if (chunks.empty() || depth == 0)
    return {};
  std::vector<Round> out(depth + chunks.size() - 1);
  for (size_t c = 0; c < chunks.size(); ++c)
    for (size_t k = 0; k < chunks[c].size(); ++k) {
      Round &dst = out[c + k];
      const Round &src = chunks[c][k];
      dst.sends.insert(dst.sends.end(), src.sends.begin(), src.sends.end());
      dst.recvs.insert(dst.recvs.end(), src.recvs.begin(), src.recvs.end());
    }
  return out;
}

int autoChunks(int64_t count, const PlanOptions &opt) {
  if (opt.chunks > 0)
    return static_cast<int>(std::min<int64_t>(opt.chunks, std::max<int64_t>(count, 1)));
  int64_t bytes = count * static_cast<int64_t>(opt.elemSize);
  // About 1 MiB per chunk, at most 8 chunks: enough to overlap the levels
  // without paying many latencies on small messages.
  int64_t c = bytes / (1 << 20);
  return static_cast<int>(std::clamp<int64_t>(c, 1, 8));
}

/// Coordinates of each group member in a hierarchy: dims[0] = index within
/// its node, dims[1] = index of its node within its cluster (3 levels) or
/// among nodes (2 levels), dims[2] = cluster index. Fails (empty) if the
/// levels are not uniform.
struct Hierarchy {
  std::vector<int> dimSize;             ///< innermost first
  std::vector<std::vector<int>> coord;  ///< per member
  std::string why;                      ///< reason it is unusable
};

Hierarchy buildHierarchy(const Group &g, const Topology &topo, int levels) {
  Hierarchy h;
  int n = g.size();
  auto keyOf = [&](int level, int member) -> int {
    int w = g.members[member];
    if (level == 0)
      return w < static_cast<int>(topo.nodeOf.size()) ? topo.nodeOf[w] : w;
    return w < static_cast<int>(topo.clusterOf.size()) ? topo.clusterOf[w] : -1;
  };
  // Level keys: node (0) and cluster (1).
  std::vector<std::vector<int>> keys(levels, std::vector<int>(n));
  for (int l = 0; l < levels; ++l)
    for (int i = 0; i < n; ++i)
      keys[l][i] = keyOf(l, i);
  if (levels == 2)
    for (int i = 0; i < n; ++i)
      if (keys[1][i] < 0) {
        h.why = "the topology has no cluster level";
        return h;
      }
  // dims: index within node, node index within its parent, parent index.
  h.coord.assign(n, std::vector<int>(levels + 1, 0));
  std::vector<int> orderNode; // node keys in first-appearance order
  std::map<int, std::vector<int>> nodeMembers;
  for (int i = 0; i < n; ++i) {
    if (!nodeMembers.count(keys[0][i]))
      orderNode.push_back(keys[0][i]);
    nodeMembers[keys[0][i]].push_back(i);
  }
  size_t L = nodeMembers.begin()->second.size();
  for (auto &[k, v] : nodeMembers)
    if (v.size() != L) {
      h.why = "nodes hold different numbers of group members";
      return h;
    }
  for (auto &[k, v] : nodeMembers)
    for (size_t j = 0; j < v.size(); ++j)
      h.coord[v[j]][0] = static_cast<int>(j);
  if (levels == 1) {
    for (size_t ni = 0; ni < orderNode.size(); ++ni)
      for (int i : nodeMembers[orderNode[ni]])
        h.coord[i][1] = static_cast<int>(ni);
    h.dimSize = {static_cast<int>(L), static_cast<int>(orderNode.size())};
    return h;
  }
  std::vector<int> orderCluster;
  std::map<int, std::vector<int>> clusterNodes; // cluster -> node keys
  for (int node : orderNode) {
    int c = keys[1][nodeMembers[node][0]];
    for (int i : nodeMembers[node])
      if (keys[1][i] != c) {
        h.why = "a node spans two clusters";
        return h;
      }
    if (!clusterNodes.count(c))
      orderCluster.push_back(c);
    clusterNodes[c].push_back(node);
  }
  size_t K = clusterNodes.begin()->second.size();
  for (auto &[c, nodes] : clusterNodes)
    if (nodes.size() != K) {
      h.why = "clusters hold different numbers of nodes";
      return h;
    }
  for (size_t ci = 0; ci < orderCluster.size(); ++ci) {
    auto &nodes = clusterNodes[orderCluster[ci]];
    for (size_t ni = 0; ni < nodes.size(); ++ni)
      for (int i : nodeMembers[nodes[ni]]) {
        h.coord[i][1] = static_cast<int>(ni);
        h.coord[i][2] = static_cast<int>(ci);
      }
  }
  h.dimSize = {static_cast<int>(L), static_cast<int>(K),
               static_cast<int>(orderCluster.size())};
  return h;
}

/// Members that share all coordinates with `me` except dimension `d`,
/// ordered by their coordinate in `d`.
std::vector<int> dimPeers(const Group &g, const Hierarchy &h, int d) {
  std::vector<int> out(h.dimSize[d], -1);
  const std::vector<int> &mine = h.coord[g.index];
  for (int i = 0; i < g.size(); ++i) {
    bool same = true;
    for (size_t e = 0; e < mine.size(); ++e)
      if (static_cast<int>(e) != d && h.coord[i][e] != mine[e])
        same = false;
    if (same)
      out[h.coord[i][d]] = g.members[i];
  }
  return out;
}

/// Hierarchical all-reduce of one chunk: reduce-scatter along the inner
/// dimensions, ring all-reduce along the outermost, all-gather back.
Phase hierAllReduce(const Group &g, const Hierarchy &h, int64_t base,
                    int64_t len) {
  int D = static_cast<int>(h.dimSize.size());
  Phase out;
  std::vector<std::pair<int64_t, int64_t>> regions;
  int64_t b = base, l = len;
  for (int d = 0; d + 1 < D; ++d) {
    int n = h.dimSize[d], me = h.coord[g.index][d];
    std::vector<int> peers = dimPeers(g, h, d);
    regions.push_back({b, l});
    if (n > 1)
      append(out, ringReduceScatter(peers, me, b, l));
    int64_t nb = blockStart(b, l, n, me);
    l = blockStart(b, l, n, me + 1) - nb;
    b = nb;
  }
  {
    int d = D - 1, n = h.dimSize[d], me = h.coord[g.index][d];
    std::vector<int> peers = dimPeers(g, h, d);
    if (n > 1) {
      append(out, ringReduceScatter(peers, me, b, l));
      append(out, ringAllGather(peers, me, b, l));
    }
  }
  for (int d = D - 2; d >= 0; --d) {
    int n = h.dimSize[d], me = h.coord[g.index][d];
    std::vector<int> peers = dimPeers(g, h, d);
    if (n > 1)
      append(out, ringAllGather(peers, me, regions[d].first, regions[d].second));
  }
  return out;
}

/// Chunks (offsets of `count` elements, group-index order) of the members
/// whose coordinate on dimension `d` is `b` and who match the calling rank
/// on every dimension inside `d`.
std::vector<int64_t> chunkSet(const Group &g, const Hierarchy &h, int d, int b,
                              int64_t count) {
  std::vector<int64_t> out;
  const std::vector<int> &mine = h.coord[g.index];
  for (int i = 0; i < g.size(); ++i) {
    bool ok = h.coord[i][d] == b;
    for (int e = 0; e < d && ok; ++e)
      ok = h.coord[i][e] == mine[e];
    if (ok)
      out.push_back(static_cast<int64_t>(i) * count);
  }
  return out;
}

/// Ring along dimension `d` whose block b is `chunkSet(d, b)`: a
/// reduce-scatter (`reduce`) or an all-gather of chunk sets.
Phase ringOfSets(const Group &g, const Hierarchy &h, int d, int64_t count, bool reduce) {
  int n = h.dimSize[d], me = h.coord[g.index][d];
  std::vector<int> peers = dimPeers(g, h, d);
  Phase phase(std::max(0, n - 1));
  for (int s = 0; s + 1 < n; ++s) {
    int sb = reduce ? mod(me - s - 1, n) : mod(me - s, n);
    int rb = reduce ? mod(me - s - 2, n) : mod(me - s - 1, n);
    for (int64_t off : chunkSet(g, h, d, rb, count))
      addRecv(phase[s], peers[mod(me - 1, n)], off, count, reduce);
    for (int64_t off : chunkSet(g, h, d, sb, count))
      addSend(phase[s], peers[mod(me + 1, n)], off, count);
  }
  return phase;
}

std::vector<Round> finish(Phase p) {
  std::vector<Round> out;
  for (Round &r : p)
    if (!r.empty())
      out.push_back(std::move(r));
  return out;
}

bool isPow2(int n) { return n > 0 && (n & (n - 1)) == 0; }
} // namespace

Plan buildPlan(Kind kind, const Group &g, int64_t count, int32_t algorithm,
               int64_t root, const Topology &topo, const PlanOptions &opt) {
  Plan plan;
  int n = g.size(), me = g.index;
  const std::vector<int> &m = g.members;
  plan.algorithm = algorithm;
  auto describe = [&](int32_t algo, const std::string &extra = "") {
    plan.algorithm = algo;
    plan.description = algorithmName(algo) + extra;
  };
  switch (kind) {
  case Kind::AllReduce: {
    plan.workElems = count;
    if (n == 1) {
      describe(algorithm == DSRT_ALGO_AUTO ? DSRT_ALGO_RING : algorithm, " (group of 1)");
      return plan;
    }
    int32_t algo = algorithm;
    std::string why;
    if (algo == DSRT_ALGO_AUTO)
      // Latency-bound small messages: tree; otherwise bandwidth-optimal
      // ring. The compiler's topology pass chooses explicitly; AUTO is for
      // frameworks that do not.
      algo = count * static_cast<int64_t>(opt.elemSize) < 64 * 1024
                 ? DSRT_ALGO_TREE : DSRT_ALGO_RING;
    if (algo == DSRT_ALGO_HIER2 || algo == DSRT_ALGO_HIER3) {
      Hierarchy h = buildHierarchy(g, topo, algo == DSRT_ALGO_HIER2 ? 1 : 2);
      if (h.why.empty() && h.dimSize[0] * h.dimSize[1] == 1)
        h.why = "one rank";
      if (!h.why.empty()) {
        why = std::string(" (") + algorithmName(algo) + " unusable: " + h.why + ")";
        algo = DSRT_ALGO_RING;
      } else {
        int chunks = autoChunks(count, opt);
        std::vector<Phase> per;
        for (int c = 0; c < chunks; ++c) {
          int64_t b = blockStart(0, count, chunks, c);
          per.push_back(hierAllReduce(g, h, b, blockStart(0, count, chunks, c + 1) - b));
        }
        plan.rounds = finish(mergeWavefront(per));
        std::string levels;
        for (size_t d = 0; d < h.dimSize.size(); ++d)
          levels += (d ? "x" : "") + std::to_string(h.dimSize[d]);
        describe(algo, "(levels=" + levels + ",chunks=" + std::to_string(chunks) + ")");
        return plan;
      }
    }
    if (algo == DSRT_ALGO_TREE) {
      // Double binary tree: each half of every chunk goes through its own
      // tree; chunks are pipelined through the levels.
      int chunks = autoChunks(count, opt);
      std::vector<Phase> per;
      for (int c = 0; c < chunks; ++c) {
        int64_t b = blockStart(0, count, chunks, c);
        int64_t l = blockStart(0, count, chunks, c + 1) - b;
        Phase p1 = binaryTreeAllReduce(m, me, 0, b, l / 2);
        Phase p2 = binaryTreeAllReduce(m, me, 1, b + l / 2, l - l / 2);
        for (size_t k = 0; k < p1.size(); ++k) {
          p1[k].sends.insert(p1[k].sends.end(), p2[k].sends.begin(), p2[k].sends.end());
          p1[k].recvs.insert(p1[k].recvs.end(), p2[k].recvs.begin(), p2[k].recvs.end());
        }
        per.push_back(std::move(p1));
      }
      plan.rounds = finish(mergeWavefront(per));
      describe(algo, "(double binary,chunks=" + std::to_string(chunks) + ")" + why);
      return plan;
    }
    if (algo == DSRT_ALGO_RABENSEIFNER) {
      plan.rounds = finish(rabenseifnerAllReduce(m, me, 0, count));
      describe(algo, why);
      return plan;
    }
    Phase p = ringReduceScatter(m, me, 0, count);
    append(p, ringAllGather(m, me, 0, count));
    plan.rounds = finish(std::move(p));
    describe(DSRT_ALGO_RING, why);
    return plan;
  }
  case Kind::ReduceScatter:
  case Kind::AllGather: {
    // Mirror images: a reduce-scatter walks the levels inner first (each
    // level works on the chunks of the ranks matching this one on the levels
    // already done); an all-gather walks them outer first, so each chunk
    // crosses a slow link once and then fans out over the fast ones.
    const bool scatter = kind == Kind::ReduceScatter;
    const char *op = scatter ? "reduce_scatter" : "all_gather";
    plan.workElems = count * n;
    if (n == 1) {
      describe(DSRT_ALGO_RING, " (group of 1)");
      return plan;
    }
    std::string hierWhy;
    if (algorithm == DSRT_ALGO_HIER2 || algorithm == DSRT_ALGO_HIER3) {
      Hierarchy h = buildHierarchy(g, topo, algorithm == DSRT_ALGO_HIER2 ? 1 : 2);
      if (h.why.empty()) {
        Phase p;
        int levels = static_cast<int>(h.dimSize.size());
        for (int i = 0; i < levels; ++i)
          append(p, ringOfSets(g, h, scatter ? i : levels - 1 - i, count,
                               scatter));
        plan.rounds = finish(std::move(p));
        describe(algorithm, std::string("(") + op + " by level)");
        return plan;
      }
      hierWhy = std::string(" (") + algorithmName(algorithm) + " unusable: " + h.why + ")";
    }
    if ((algorithm == DSRT_ALGO_RABENSEIFNER || algorithm == DSRT_ALGO_TREE) && isPow2(n)) {
      plan.rounds = finish(scatter ? halvingReduceScatter(m, me, 0, count)
                                   : doublingAllGather(m, me, 0, count));
      describe(DSRT_ALGO_RABENSEIFNER,
               scatter ? "(recursive halving)" : "(recursive doubling)");
      return plan;
    }
    plan.rounds = finish(scatter ? ringReduceScatter(m, me, 0, count * n)
                                 : ringAllGather(m, me, 0, count * n));
    std::string why = hierWhy;
    if (algorithm == DSRT_ALGO_RABENSEIFNER || algorithm == DSRT_ALGO_TREE)
      why = std::string(" (") + algorithmName(algorithm) + " " + op +
            ": group size not a power of two)";
    describe(DSRT_ALGO_RING, why);
    return plan;
  }
  case Kind::AllToAll: {
    plan.workElems = count * n;
    // Pairwise exchange: in round s, send to index+s and receive from
    // index-s. The local chunk is copied by the executor's prologue.
    for (int s = 1; s < n; ++s) {
      Round r;
      int to = mod(me + s, n), from = mod(me - s, n);
      if (count > 0) {
        r.recvs.push_back(xfer(m[from], from * count, count));
        r.sends.push_back(xfer(m[to], to * count, count, false, Buf::Input));
      }
      if (!r.empty())
        plan.rounds.push_back(std::move(r));
    }
    describe(DSRT_ALGO_RING, "(pairwise)");
    plan.description = "pairwise";
    return plan;
  }
  case Kind::Broadcast: {
    plan.workElems = count;
    if (n == 1) {
      describe(DSRT_ALGO_TREE, " (group of 1)");
      return plan;
    }
    int chunks = autoChunks(count, opt);
    std::vector<Phase> per;
    for (int c = 0; c < chunks; ++c) {
      int64_t b = blockStart(0, count, chunks, c);
      per.push_back(treeBroadcast(m, me, static_cast<int>(root), b,
                                  blockStart(0, count, chunks, c + 1) - b));
    }
    plan.rounds = finish(mergeWavefront(per));
    describe(DSRT_ALGO_TREE, "(binomial,chunks=" + std::to_string(chunks) + ")");
    return plan;
  }
  }
  return plan;
}

//===----------------------------------------------------------------------===//
// In-process simulation (unit tests)
//===----------------------------------------------------------------------===//

std::string simulate(const std::vector<Plan> &plans,
                     const std::vector<int> &worldRanks,
                     std::vector<std::vector<char>> &work,
                     const std::vector<std::vector<char>> &input,
                     int32_t dtype, int32_t reduction) {
  size_t es = dtypeSize(dtype);
  int n = static_cast<int>(plans.size());
  std::map<int, int> localOf;
  for (int i = 0; i < n; ++i)
    localOf[worldRanks[i]] = i;
  // Eager sends: a FIFO of payloads per (src, dst).
  std::map<std::pair<int, int>, std::deque<std::vector<char>>> wire;
  std::vector<size_t> next(n, 0);
  std::vector<bool> sent(n, false);
  for (;;) {
    bool progress = false, allDone = true;
    for (int i = 0; i < n; ++i) {
      if (next[i] >= plans[i].rounds.size())
        continue;
      allDone = false;
      const Round &r = plans[i].rounds[next[i]];
      if (!sent[i]) {
        for (const Xfer &x : r.sends) {
          if (!localOf.count(x.peer))
            return "rank " + std::to_string(worldRanks[i]) + " sends to " +
                   std::to_string(x.peer) + " outside the group";
          const std::vector<char> &src = x.buf == Buf::Input ? input[i] : work[i];
          if ((x.offset + x.count) * es > src.size())
            return "send out of bounds";
          wire[{worldRanks[i], x.peer}].emplace_back(
              src.begin() + x.offset * es, src.begin() + (x.offset + x.count) * es);
        }
        sent[i] = true;
        progress = true;
      }
      // Receives complete when every expected message is on the wire
      // (messages from one peer match in posting order).
      std::map<int, size_t> need;
      for (const Xfer &x : r.recvs)
        ++need[x.peer];
      bool ready = true;
      for (auto &[peer, k] : need)
        if (wire[{peer, worldRanks[i]}].size() < k)
          ready = false;
      if (!ready)
        continue;
      for (const Xfer &x : r.recvs) {
        auto &q = wire[{x.peer, worldRanks[i]}];
        std::vector<char> msg = std::move(q.front());
        q.pop_front();
        if (msg.size() != static_cast<size_t>(x.count) * es)
          return "rank " + std::to_string(worldRanks[i]) + " expected " +
                 std::to_string(x.count) + " elements from " +
                 std::to_string(x.peer) + ", got " +
                 std::to_string(msg.size() / es);
        if ((x.offset + x.count) * es > work[i].size())
          return "receive out of bounds";
        char *dst = work[i].data() + x.offset * es;
        if (x.reduce) {
          if (!reduceInto(dst, msg.data(), x.count, dtype, reduction))
            return "unsupported reduction";
        } else {
          std::memcpy(dst, msg.data(), msg.size());
        }
      }
      ++next[i];
      sent[i] = false;
      progress = true;
    }
    if (allDone)
      break;
    if (!progress)
      return "deadlock: no rank can complete its round";
  }
  for (auto &[k, q] : wire)
    if (!q.empty())
      return "unreceived message from " + std::to_string(k.first) + " to " +
             std::to_string(k.second);
  return "";
}

} // namespace dsrt::coll
