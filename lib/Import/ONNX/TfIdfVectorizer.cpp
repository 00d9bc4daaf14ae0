//===- TfIdfVectorizer.cpp - ONNX TfIdfVectorizer to dsg ------------------===//
//
// TfIdfVectorizer-9 counts, in each row of an integer tensor X ([L] or
// [B, L]), the occurrences of the n-grams of a constant pool, and writes the
// count (TF), its indicator times a weight (IDF) or the count times a weight
// (TFIDF) of pool n-gram k to output column ngram_indexes[k].
//
// An n-gram with skip s takes the items at i, i + (s + 1), ...,
// i + (n - 1)(s + 1); lengths min_gram_length..max_gram_length are counted
// for every skip 0..max_skip_count (unigrams once). The pool lists the
// n-grams by length: ngram_counts[n - 1] is the offset of the first n-gram
// of length n in pool_int64s.
//
// For every length n and skip s, the n shifted windows of X are compared with
// the pool's n-gram columns ([B, L', 1] against [P_n]), combined with And and
// summed over the positions. A constant [P_n, O] matrix holding the weights
// at (k, ngram_indexes[k]) maps the pool counts to the output columns.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

LogicalResult mlir::ds::onnx_import::importTfIdfVectorizer(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  std::string mode;
  int64_t minGram = 0, maxGram = 0, maxSkip = 0;
  SmallVector<int64_t> counts, indexes, pool;
  for (const char *name : {"mode", "min_gram_length", "max_gram_length",
                           "max_skip_count", "ngram_counts", "ngram_indexes"})
    if (!ctx.hasAttr(name))
      return ctx.invalid() << "the required attribute '" << name
                           << "' is missing";
  if (ctx.hasAttr("pool_strings"))
    return ctx.unsupported() << "pool_strings is not supported (ds has no "
                                "string tensors)";
  if (!ctx.hasAttr("pool_int64s"))
    return ctx.invalid() << "expected pool_int64s or pool_strings";
  if (failed(ctx.stringAttr("mode", mode)) ||
      failed(ctx.intAttr("min_gram_length", minGram)) ||
      failed(ctx.intAttr("max_gram_length", maxGram)) ||
      failed(ctx.intAttr("max_skip_count", maxSkip)) ||
      failed(ctx.intsAttr("ngram_counts", counts)) ||
      failed(ctx.intsAttr("ngram_indexes", indexes)) ||
      failed(ctx.intsAttr("pool_int64s", pool)))
    return failure();
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.invalid() << "expected mode TF, IDF or TFIDF, found '" << mode
                         << "'";
  if (minGram < 1 || maxGram < minGram || maxSkip < 0)
    return ctx.invalid() << "expected 1 <= min_gram_length <= "
                            "max_gram_length and max_skip_count >= 0";
  if (static_cast<int64_t>(counts.size()) < maxGram)
    return ctx.invalid() << "expected ngram_counts for lengths 1 to "
                         << maxGram << ", found " << counts.size()
                         << " entries";
  // The pool n-grams of each length, in pool order.
  int64_t poolSize = pool.size();
  SmallVector<std::pair<int64_t, int64_t>> ranges; // [begin, end) per length
  for (size_t n = 1; n <= counts.size(); ++n) {
    int64_t begin = counts[n - 1];
    int64_t end = n < counts.size() ? counts[n] : poolSize;
    if (begin < 0 || end < begin || end > poolSize ||
        (end - begin) % static_cast<int64_t>(n) != 0)
      return ctx.invalid() << "ngram_counts do not split pool_int64s into "
                              "n-grams of lengths 1 to "
                           << counts.size();
    ranges.push_back({begin, end});
  }
  int64_t numGrams = 0;
  for (auto [i, r] : llvm::enumerate(ranges))
    numGrams += (r.second - r.first) / static_cast<int64_t>(i + 1);
  if (static_cast<int64_t>(indexes.size()) != numGrams)
    return ctx.invalid() << "expected " << numGrams
                         << " ngram_indexes (one per pool n-gram), found "
                         << indexes.size();
  SmallVector<float> weights(numGrams, 1.0f);
  if (const onnx::AttributeProto *a = ctx.attr("weights")) {
    if (a->floats_size() != numGrams)
      return ctx.invalid() << "expected " << numGrams << " weights, found "
                           << a->floats_size();
    weights.assign(a->floats().begin(), a->floats().end());
  }

  RankedTensorType in = ctx.inputType(0);
  if (!isa<IntegerType>(in.getElementType()) ||
      in.getElementType().isInteger(1))
    return ctx.unsupported() << "ds imports it for integer inputs only, "
                                "found "
                             << in;
  if (in.getRank() != 1 && in.getRank() != 2)
    return ctx.invalid() << "expected an input of rank 1 or 2, found " << in;
  if (!in.hasStaticShape())
    return ctx.unsupported() << "ds imports it for static shapes only, found "
                             << in;
  FailureOr<RankedTensorType> outType = ctx.outputType(0);
  if (failed(outType))
    return failure();
  if (!outType->hasStaticShape() || outType->getRank() != in.getRank() ||
      !isa<FloatType>(outType->getElementType()))
    return ctx.unsupported() << "expected a static float output of rank "
                             << in.getRank() << ", found " << *outType;
  int64_t outSize = outType->getShape().back();
  for (int64_t index : indexes)
    if (index < 0 || index >= outSize)
      return ctx.invalid() << "ngram index " << index
                           << " is outside the output of " << outSize
                           << " columns";

  Emitter e(ctx);
  Type f = outType->getElementType(), i64 = e.b.getI64Type();
  int64_t b = in.getRank() == 2 ? in.getDimSize(0) : 1;
  int64_t len = in.getShape().back();
  FailureOr<Value> rows = ctx.reshapeTo(ctx.input(0), {b, len});
  if (failed(rows))
    return failure();
  Value x = e.cast(*rows, i64);
  auto resultType = RankedTensorType::get({b, outSize}, f);
  Value result = dsg::ConstantOp::create(
      e.b, e.loc, resultType,
      DenseElementsAttr::get(resultType, FloatAttr::get(f, 0.0)));

  int64_t firstGram = 0; // Pool index of the first n-gram of length n.
  for (int64_t n = 1; n <= static_cast<int64_t>(ranges.size()); ++n) {
    auto [begin, end] = ranges[n - 1];
    int64_t grams = (end - begin) / n;
    int64_t gramBase = firstGram;
    firstGram += grams;
    if (grams == 0 || n < minGram || n > maxGram)
      continue;
    // Pool column j of the n-grams of length n, as a [grams] constant.
    SmallVector<Value> columns;
    for (int64_t j = 0; j < n; ++j) {
      SmallVector<int64_t> column;
      for (int64_t g = 0; g < grams; ++g)
        column.push_back(pool[begin + g * n + j]);
      columns.push_back(ctx.constantI64(column));
    }
    Value gramCounts;
    for (int64_t s = 0; s <= (n == 1 ? 0 : maxSkip); ++s) {
      int64_t windows = len - (n - 1) * (s + 1);
      if (windows <= 0)
        break;
      Value match;
      for (int64_t j = 0; j < n; ++j) {
        auto sliceType = RankedTensorType::get({b, windows}, i64);
        Value window = dsg::SliceOp::create(
            e.b, e.loc, sliceType, x, ctx.constantI64({j * (s + 1)}),
            ctx.constantI64({1}), ctx.constantI64({1}));
        FailureOr<Value> w3 = ctx.reshapeTo(window, {b, windows, 1});
        if (failed(w3))
          return failure();
        Value eq = e.compare<dsg::EqualOp>(*w3, columns[j]);
        match = match ? e.binary<dsg::AndOp>(match, eq) : eq;
      }
      Value c = e.reduce<dsg::ReduceSumOp>(e.cast(match, f), {1}, false);
      gramCounts = gramCounts ? e.binary<dsg::AddOp>(gramCounts, c) : c;
    }
    if (!gramCounts)
      continue;
    if (mode == "IDF")
      gramCounts = e.binary<dsg::MinOp>(gramCounts, e.scalar(f, 1.0));
    // [grams, outSize]: the weight of n-gram g at its output column.
    auto mapType = RankedTensorType::get({grams, outSize}, f);
    SmallVector<Attribute> map(grams * outSize, FloatAttr::get(f, 0.0));
    for (int64_t g = 0; g < grams; ++g) {
      double weight = mode == "TF" ? 1.0 : weights[gramBase + g];
      map[g * outSize + indexes[gramBase + g]] = FloatAttr::get(f, weight);
    }
    Value mapping = dsg::ConstantOp::create(
        e.b, e.loc, mapType, DenseElementsAttr::get(mapType, map));
    Value mapped =
        dsg::MatMulOp::create(e.b, e.loc, resultType, gramCounts, mapping);
    result = e.binary<dsg::AddOp>(result, mapped);
  }
  FailureOr<Value> out = ctx.reshapeTo(result, outType->getShape());
  if (failed(out))
    return failure();
  ctx.setOutput(0, *out);
  return success();
}
