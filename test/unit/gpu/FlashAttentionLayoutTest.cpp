//===- FlashAttentionLayoutTest.cpp - the mma kernel's index math, on CPU -===//
//
// Replays the tensor-core flash-attention kernel (lib/Target/GPU/
// FlashAttentionTensorCore.cpp) on the CPU, lane by lane, with the same
// per-lane formulas (FlashAttentionLayout.h, instantiated on integers) and
// with ldmatrix, mma.sync m16n8k16 and shuffle-xor emulated from the PTX
// ISA's descriptions (written here independently of those formulas:
// "Matrix Fragments for mma.m16n8k16 with floating point type" and
// "ldmatrix"), then compares the output with a reference attention.
//
// What this checks: every address, fragment position, the reuse of the S
// accumulators as the A operand of P·V, the row reductions, the causal and
// Lk bounds, the split into unbounded and bounded tile loops, the GQA head
// mapping and the broadcasting mask. What it does not: the IR the builder
// emits beyond those formulas (lit tests), the hardware (a device run).
// Values are kept in float (no f16/bf16 rounding), so the tolerance is
// tight and an index error cannot hide in it.
//
//===----------------------------------------------------------------------===//
#include "lib/Target/GPU/FlashAttentionLayout.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {
using namespace mlir::ds::flash;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// A shared-memory tile: rows × (width + kRowPad), padding NaN so that a
/// fragment read from it shows up in the result.
struct Shared {
  int64_t rows, width;
  std::vector<float> data;
  Shared(int64_t rows, int64_t width)
      : rows(rows), width(width), data(rows * (width + kRowPad), kNaN) {}
  float &at(int64_t r, int64_t c) {
    EXPECT_LT(r, rows);
    EXPECT_LT(c, width + kRowPad);
    return data[r * (width + kRowPad) + c];
  }
};

struct Lane2 {
  int64_t row, col;
};

/// ldmatrix.sync.aligned.m8n8.x{tiles}[.trans].b16: matrix i takes the row
/// addresses of lanes 8i..8i+7 (each row 8 consecutive elements); lane l
/// receives, per matrix, row l/4 elements 2(l%4), 2(l%4)+1, or with .trans
/// column l/4 rows 2(l%4), 2(l%4)+1. Every lane's address must be in the
/// tile, the used ones must not reach the padding.
std::vector<std::vector<float>> ldmatrix(Shared &s, const Lane2 addr[32],
                                         int tiles, bool trans) {
  for (int l = 0; l < 32; ++l) {
    EXPECT_GE(addr[l].row, 0);
    EXPECT_LT(addr[l].row, s.rows);
    EXPECT_LE(addr[l].col + 8, s.width + kRowPad);
    if (l < 8 * tiles)
      EXPECT_LE(addr[l].col + 8, s.width) << "lane " << l << " reads padding";
  }
  std::vector<std::vector<float>> out(32);
  for (int l = 0; l < 32; ++l)
    for (int i = 0; i < tiles; ++i) {
      auto elem = [&](int r, int c) {
        return s.at(addr[8 * i + r].row, addr[8 * i + r].col + c);
      };
      int g = l / 4, t = l % 4;
      out[l].push_back(trans ? elem(2 * t, g) : elem(g, 2 * t));
      out[l].push_back(trans ? elem(2 * t + 1, g) : elem(g, 2 * t + 1));
    }
  return out;
}

/// mma.sync.aligned.m16n8k16.row.col: per lane (g = l/4, t = l%4), A is
/// {a0a1 (g, 2t..), a2a3 (g+8, 2t..), a4a5 (g, 2t+8..), a6a7 (g+8, 2t+8..)},
/// B is {b0b1 (k = 2t.., n = g), b2b3 (k = 2t+8.., n = g)}, C/D is
/// {c0c1 (g, 2t..), c2c3 (g+8, 2t..)}.
void mma(const std::vector<std::vector<float>> &a,
         const std::vector<std::vector<float>> &b,
         std::vector<std::vector<float>> &c) {
  float am[16][16], bm[16][8], cm[16][8];
  for (int l = 0; l < 32; ++l) {
    int g = l / 4, t = l % 4;
    for (int j = 0; j < 2; ++j) {
      am[g][2 * t + j] = a[l][j];
      am[g + 8][2 * t + j] = a[l][2 + j];
      am[g][2 * t + 8 + j] = a[l][4 + j];
      am[g + 8][2 * t + 8 + j] = a[l][6 + j];
      bm[2 * t + j][g] = b[l][j];
      bm[2 * t + 8 + j][g] = b[l][2 + j];
      cm[g][2 * t + j] = c[l][j];
      cm[g + 8][2 * t + j] = c[l][2 + j];
    }
  }
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) {
      float sum = cm[i][j];
      for (int k = 0; k < 16; ++k)
        sum += am[i][k] * bm[k][j];
      cm[i][j] = sum;
    }
  for (int l = 0; l < 32; ++l) {
    int g = l / 4, t = l % 4;
    for (int j = 0; j < 2; ++j) {
      c[l][j] = cm[g][2 * t + j];
      c[l][2 + j] = cm[g + 8][2 * t + j];
    }
  }
}

/// gpu.shuffle xor over the 4 lanes of a row, combining with `op`.
template <typename Op> void rowReduce(float v[32], Op op) {
  for (int32_t offset : kRowShuffleOffsets) {
    float other[32];
    for (int l = 0; l < 32; ++l)
      other[l] = v[l ^ offset];
    for (int l = 0; l < 32; ++l)
      v[l] = op(v[l], other[l]);
  }
}

struct Problem {
  int64_t b, hq, hkv, lq, lk, d, dv;
  bool causal, mask;
  float scale;
  std::vector<float> q, k, v;
  std::vector<uint8_t> keep; // [b][1][lq][lk] broadcast over heads
  float Q(int64_t bi, int64_t h, int64_t r, int64_t c) const {
    return q[((bi * hq + h) * lq + r) * d + c];
  }
  float K(int64_t bi, int64_t h, int64_t r, int64_t c) const {
    return k[((bi * hkv + h) * lk + r) * d + c];
  }
  float V(int64_t bi, int64_t h, int64_t r, int64_t c) const {
    return v[((bi * hkv + h) * lk + r) * dv + c];
  }
  bool kept(int64_t bi, int64_t r, int64_t j) const {
    return !mask || keep[(bi * lq + r) * lk + j];
  }
};

std::vector<double> reference(const Problem &p) {
  std::vector<double> out(p.b * p.hq * p.lq * p.dv);
  for (int64_t bi = 0; bi < p.b; ++bi)
    for (int64_t h = 0; h < p.hq; ++h)
      for (int64_t r = 0; r < p.lq; ++r) {
        int64_t kvh = h / (p.hq / p.hkv);
        std::vector<double> s(p.lk);
        double m = -INFINITY;
        for (int64_t j = 0; j < p.lk; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < p.d; ++c)
            dot += double(p.Q(bi, h, r, c)) * p.K(bi, kvh, j, c);
          bool visible = p.kept(bi, r, j) &&
                         (!p.causal || j <= r + (p.lk - p.lq));
          s[j] = visible ? dot * p.scale : -INFINITY;
          m = std::max(m, s[j]);
        }
        double l = 0;
        for (double &x : s)
          l += (x = std::isinf(m) ? 0 : std::exp(x - m));
        for (int64_t c = 0; c < p.dv; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < p.lk; ++j)
            acc += s[j] * p.V(bi, kvh, j, c);
          out[((bi * p.hq + h) * p.lq + r) * p.dv + c] = acc / l;
        }
      }
  return out;
}

/// The kernel, one block (query tile, batch · head) at a time, warp by warp,
/// lane by lane, in the order FlashAttentionTensorCore.cpp emits it.
std::vector<float> emulate(const Problem &p) {
  std::vector<float> out(p.b * p.hq * p.lq * p.dv, kNaN);
  for (int64_t qTile = 0; qTile < (p.lq + kTileQ - 1) / kTileQ; ++qTile)
    for (int64_t bh = 0; bh < p.b * p.hq; ++bh) {
      int64_t bi = bh / p.hq, head = bh % p.hq;
      int64_t kvHead = head / (p.hq / p.hkv);
      int64_t qStart = qTile * kTileQ;
      // Q through the K buffer (rows past Lq clamped).
      Shared qs(kTileKV, p.d);
      for (int64_t r = 0; r < kTileQ; ++r)
        for (int64_t c = 0; c < p.d; ++c)
          qs.at(r, c) = p.Q(bi, head, std::min(qStart + r, p.lq - 1), c);
      int64_t keyEnd = p.lk, fullEnd = p.lk;
      if (p.causal) {
        int64_t lastRow = std::min(qStart + kTileQ - 1, p.lq - 1);
        keyEnd = std::min(std::max<int64_t>(lastRow + p.lk - p.lq + 1, 0),
                          p.lk);
        fullEnd = std::min(std::max<int64_t>(qStart + p.lk - p.lq + 1, 0),
                           p.lk);
      }
      int64_t numTiles = (keyEnd + kTileKV - 1) / kTileKV;
      int64_t fullTiles = fullEnd / kTileKV;
      bool needsBounds = p.causal || p.lk % kTileKV != 0;

      for (int64_t warp = 0; warp < kWarps; ++warp) {
        using Frag = std::vector<std::vector<float>>;
        std::vector<Frag> qFrags;
        for (int64_t kk = 0; kk < p.d / 16; ++kk) {
          Lane2 addr[32];
          for (int64_t l = 0; l < 32; ++l)
            addr[l] = {qLdmatrixRow(warp, l), qLdmatrixCol(l, kk)};
          qFrags.push_back(ldmatrix(qs, addr, 4, false));
        }
        float m[2][32], lsum[2][32];
        std::fill(&m[0][0], &m[0][0] + 64, kNegInf);
        std::fill(&lsum[0][0], &lsum[0][0] + 64, 0.0f);
        std::vector<Frag> o(p.dv / 8, Frag(32, std::vector<float>(4, 0)));

        for (int64_t t = 0; t < numTiles; ++t) {
          bool bounded = needsBounds && t >= fullTiles;
          int64_t k0 = t * kTileKV;
          Shared ks(kTileKV, p.d), vs(kTileKV, p.dv);
          for (int64_t r = 0; r < kTileKV; ++r) {
            int64_t key = std::min(k0 + r, p.lk - 1);
            for (int64_t c = 0; c < p.d; ++c)
              ks.at(r, c) = p.K(bi, kvHead, key, c);
            for (int64_t c = 0; c < p.dv; ++c)
              vs.at(r, c) = p.V(bi, kvHead, key, c);
          }
          std::vector<Frag> s;
          for (int64_t n = 0; n < kTileKV / 8; ++n) {
            Frag acc(32, std::vector<float>(4, 0));
            for (int64_t kk = 0; kk < p.d / 16; ++kk) {
              Lane2 addr[32];
              for (int64_t l = 0; l < 32; ++l)
                addr[l] = {kLdmatrixRow(l, n), kLdmatrixCol(l, kk)};
              mma(qFrags[kk], ldmatrix(ks, addr, 2, false), acc);
            }
            s.push_back(acc);
          }
          float refs[2][32], alphas[2][32];
          for (int64_t half = 0; half < 2; ++half) {
            float tileMax[32];
            for (int64_t l = 0; l < 32; ++l) {
              int64_t row = qStart + accRow(warp, l, half);
              tileMax[l] = kNegInf;
              for (int64_t n = 0; n < kTileKV / 8; ++n)
                for (int64_t c = 0; c < 2; ++c) {
                  float &x = s[n][l][2 * half + c];
                  x *= p.scale;
                  int64_t key = k0 + accCol(l, n, c);
                  if (p.mask && !p.kept(bi, std::min(row, p.lq - 1),
                                        std::min(key, p.lk - 1)))
                    x = kNegInf;
                  if (bounded && (key >= p.lk ||
                                  (p.causal && key > row + p.lk - p.lq)))
                    x = kNegInf;
                  tileMax[l] = std::max(tileMax[l], x);
                }
            }
            rowReduce(tileMax, [](float a, float b) { return std::max(a, b); });
            for (int64_t l = 0; l < 32; ++l) {
              float mNew = std::max(m[half][l], tileMax[l]);
              refs[half][l] = mNew == kNegInf ? 0 : mNew;
              alphas[half][l] = std::exp(m[half][l] - refs[half][l]);
              m[half][l] = mNew;
              lsum[half][l] *= alphas[half][l];
            }
          }
          for (int64_t n = 0; n < kTileKV / 8; ++n)
            for (int64_t l = 0; l < 32; ++l)
              for (int64_t i = 0; i < 4; ++i) {
                float &x = s[n][l][i];
                x = std::exp(x - refs[i / 2][l]);
                lsum[i / 2][l] += x;
              }
          for (Frag &acc : o)
            for (int64_t l = 0; l < 32; ++l)
              for (int64_t i = 0; i < 4; ++i)
                acc[l][i] *= alphas[i / 2][l];
          // P·V: A of keys 16kk.. = (c0c1, c2c3) of S tile 2kk, then of
          // S tile 2kk + 1, as the kernel inserts them.
          for (int64_t kk = 0; kk < kTileKV / 16; ++kk) {
            Frag a(32, std::vector<float>(8));
            for (int64_t l = 0; l < 32; ++l)
              for (int64_t r = 0; r < 4; ++r)
                for (int64_t j = 0; j < 2; ++j)
                  a[l][2 * r + j] = s[2 * kk + r / 2][l][2 * (r % 2) + j];
            for (int64_t n = 0; n < p.dv / 8; ++n) {
              Lane2 addr[32];
              for (int64_t l = 0; l < 32; ++l)
                addr[l] = {vLdmatrixRow(l, kk), vLdmatrixCol(n)};
              mma(a, ldmatrix(vs, addr, 2, true), o[n]);
            }
          }
        }
        for (int64_t half = 0; half < 2; ++half) {
          rowReduce(lsum[half], [](float a, float b) { return a + b; });
          for (int64_t l = 0; l < 32; ++l) {
            int64_t row = qStart + accRow(warp, l, half);
            if (row >= p.lq)
              continue;
            for (int64_t n = 0; n < p.dv / 8; ++n)
              for (int64_t c = 0; c < 2; ++c)
                out[((bi * p.hq + head) * p.lq + row) * p.dv +
                    accCol(l, n, c)] = o[n][l][2 * half + c] / lsum[half][l];
          }
        }
      }
    }
  return out;
}

Problem makeProblem(int64_t b, int64_t hq, int64_t hkv, int64_t lq,
                    int64_t lk, int64_t d, int64_t dv, bool causal,
                    bool mask, unsigned seed) {
  Problem p{b, hq, hkv, lq, lk, d, dv, causal, mask,
            1.0f / std::sqrt(float(d)), {}, {}, {}, {}};
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  auto fill = [&](std::vector<float> &x, int64_t n) {
    x.resize(n);
    for (float &e : x)
      e = dist(gen);
  };
  fill(p.q, b * hq * lq * d);
  fill(p.k, b * hkv * lk * d);
  fill(p.v, b * hkv * lk * dv);
  if (mask) {
    p.keep.resize(b * lq * lk);
    for (uint8_t &e : p.keep)
      e = dist(gen) > -0.6f;
  }
  return p;
}

void expectMatches(const Problem &p) {
  std::vector<double> want = reference(p);
  std::vector<float> got = emulate(p);
  ASSERT_EQ(want.size(), got.size());
  int64_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      if (!std::isnan(got[i]) && bad++ < 5)
        ADD_FAILURE() << "element " << i << ": want NaN, got " << got[i];
      continue;
    }
    if (!(std::abs(got[i] - want[i]) <= 1e-4 + 1e-4 * std::abs(want[i])) &&
        bad++ < 5)
      ADD_FAILURE() << "element " << i << ": want " << want[i] << ", got "
                    << got[i];
  }
  EXPECT_EQ(bad, 0);
}

TEST(FlashAttentionLayout, CausalGQAPartialTiles) {
  // Lq = Lk = 100: a full and a partial query tile, the diagonal crossing
  // both key tiles; 4 query heads on 2 key/value heads.
  expectMatches(makeProblem(1, 4, 2, 100, 100, 64, 64, true, false, 1));
}

TEST(FlashAttentionLayout, HeadDim128) {
  expectMatches(makeProblem(1, 2, 2, 64, 128, 128, 128, false, false, 2));
}

TEST(FlashAttentionLayout, MaskAndRaggedKeys) {
  // Lk = 96 (a partial key tile), a boolean mask, Dv ≠ D.
  expectMatches(makeProblem(2, 2, 1, 64, 96, 32, 48, false, true, 3));
}

TEST(FlashAttentionLayout, CausalMoreKeysThanQueries) {
  // Bottom-right diagonal with Lk > Lq: the first rows see 130 - 70 keys
  // already, so some tiles are full for every row and skip the selects.
  expectMatches(makeProblem(1, 1, 1, 70, 200, 16, 16, true, false, 4));
}

TEST(FlashAttentionLayout, CausalFewerKeysThanQueriesHasMaskedRows) {
  // Lk < Lq: the first Lq - Lk rows see no key (NaN, as softmax gives).
  expectMatches(makeProblem(1, 2, 1, 80, 30, 16, 16, true, false, 5));
}

TEST(FlashAttentionLayout, CausalWithMask) {
  expectMatches(makeProblem(1, 2, 2, 128, 128, 64, 64, true, true, 6));
}

} // namespace
