//===- ControlFlow.cpp - ONNX If and Scan, inlined at import --------------===//
//
// If: a constant condition inlines the branch it selects. A condition
// computed at run time inlines both branches and selects each output with
// dsg.where, which needs outputs of one static type in both branches and
// branches that cannot fault when not taken (no gathers, scatters or
// divisions, which could read out of bounds or divide by zero).
//
// Scan: the body is inlined once per iteration over the static scan length
// (as the recurrent ops are unrolled): scan inputs are sliced along their
// axes, states are threaded through, and the per-iteration scan outputs are
// stacked. Scan-8 has a leading batch dimension and an optional
// sequence_lens input (not supported); Scan-9 drops the batch and adds
// per-input axes.
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

/// The most body copies Scan unrolls.
static constexpr int64_t kMaxUnrolledIterations = 1024;

static const onnx::GraphProto *graphAttr(NodeContext &ctx, StringRef name) {
  const onnx::AttributeProto *a = ctx.attr(name);
  if (!a || !a->has_g()) {
    ctx.invalid() << "the required graph attribute '" << name
                  << "' is missing";
    return nullptr;
  }
  return &a->g();
}

/// Ops whose results a not-taken branch may compute: no index operands that
/// could be out of range, no integer division.
static bool mayFault(const onnx::GraphProto &g) {
  for (const onnx::NodeProto &node : g.node()) {
    if (llvm::is_contained({"Gather", "GatherElements", "GatherND", "Scatter",
                            "ScatterElements", "ScatterND", "Div", "Mod",
                            "OneHot", "MaxUnpool", "If", "Loop", "Scan"},
                           node.op_type()))
      return true;
    for (const onnx::AttributeProto &a : node.attribute())
      if (a.has_g() || a.graphs_size() > 0)
        return true;
  }
  return false;
}

LogicalResult mlir::ds::onnx_import::importIf(NodeContext &ctx) {
  if (failed(ctx.expectInputs(1, 1)))
    return failure();
  const onnx::GraphProto *thenG = graphAttr(ctx, "then_branch");
  const onnx::GraphProto *elseG = thenG ? graphAttr(ctx, "else_branch") : nullptr;
  if (!thenG || !elseG)
    return failure();
  RankedTensorType condType = ctx.inputType(0);
  if (condType.getNumElements() != 1 ||
      !condType.getElementType().isInteger(1))
    return ctx.invalid() << "expected a single-element bool condition, found "
                         << condType;
  unsigned n = ctx.numOutputs();
  if (thenG->output_size() != static_cast<int>(n) ||
      elseG->output_size() != static_cast<int>(n))
    return ctx.invalid() << "expected both branches to have " << n
                         << " outputs";
  if (std::optional<SmallVector<int64_t>> c = ctx.constantInts(0)) {
    SmallVector<Value> outs;
    if (failed(ctx.parent.inlineSubgraph((*c)[0] ? *thenG : *elseG, {}, outs,
                                         ctx)))
      return failure();
    for (unsigned i = 0; i < n; ++i)
      ctx.setOutput(i, outs[i]);
    return success();
  }
  if (mayFault(*thenG) || mayFault(*elseG))
    return ctx.unsupported() << "the condition is computed at run time and a "
                                "branch has ops that may fault when not taken "
                                "(gathers, scatters, divisions, subgraphs); "
                                "ds computes both branches and selects";
  SmallVector<Value> thenOuts, elseOuts;
  if (failed(ctx.parent.inlineSubgraph(*thenG, {}, thenOuts, ctx)) ||
      failed(ctx.parent.inlineSubgraph(*elseG, {}, elseOuts, ctx)))
    return failure();
  Emitter e(ctx);
  FailureOr<Value> cond = ctx.reshapeTo(ctx.input(0), {});
  if (failed(cond))
    return failure();
  for (unsigned i = 0; i < n; ++i) {
    auto t = cast<RankedTensorType>(thenOuts[i].getType());
    auto f = cast<RankedTensorType>(elseOuts[i].getType());
    if (t != f || !t.hasStaticShape())
      return ctx.unsupported() << "the condition is computed at run time, so "
                                  "output "
                               << i << " needs one static type in both "
                               << "branches, found " << t << " and " << f;
    ctx.setOutput(i, e.where(*cond, thenOuts[i], elseOuts[i]));
  }
  return success();
}

namespace {
/// One Scan without batch (Scan-9 form).
struct ScanLoop {
  NodeContext &ctx;
  Emitter &e;
  const onnx::GraphProto &body;
  SmallVector<int64_t> inAxes, inReverse, outAxes, outReverse;

  /// Element `t` of `v` along `axis`, the axis dropped.
  FailureOr<Value> slice(Value v, int64_t axis, int64_t t) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = 1;
    Value s = dsg::SliceOp::create(
        e.b, e.loc, RankedTensorType::get(shape, type.getElementType()), v,
        ctx.constantI64({t}), ctx.constantI64({axis}), ctx.constantI64({1}));
    shape.erase(shape.begin() + axis);
    return ctx.reshapeTo(s, shape);
  }

  /// Runs the loop: `states` in, final states and stacked scan outputs out.
  LogicalResult run(ArrayRef<Value> initial, ArrayRef<Value> scans,
                    SmallVectorImpl<Value> &results) {
    int64_t steps = -1;
    for (auto [j, v] : llvm::enumerate(scans)) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t axis = inAxes[j];
      if (failed(ctx.normalizeAxis(axis, type.getRank(), "scan_input_axes")))
        return failure();
      inAxes[j] = axis;
      if (!type.hasStaticShape())
        return ctx.unsupported() << "ds unrolls scans over static shapes "
                                    "only, found "
                                 << type;
      int64_t len = type.getDimSize(axis);
      if (steps >= 0 && len != steps)
        return ctx.invalid() << "expected scan inputs of one length, found "
                             << steps << " and " << len;
      steps = len;
    }
    if (steps < 1)
      return ctx.unsupported() << "ds unrolls scans of at least one "
                                  "iteration";
    if (steps > kMaxUnrolledIterations)
      return ctx.unsupported() << "ds unrolls up to "
                               << kMaxUnrolledIterations
                               << " iterations, found " << steps;
    SmallVector<Value> states(initial);
    size_t numStates = states.size();
    size_t numOuts = body.output_size() - numStates;
    SmallVector<SmallVector<Value>> perStep(numOuts);
    for (int64_t t = 0; t < steps; ++t) {
      SmallVector<Value> args(states);
      for (auto [j, v] : llvm::enumerate(scans)) {
        FailureOr<Value> s =
            slice(v, inAxes[j], inReverse[j] ? steps - 1 - t : t);
        if (failed(s))
          return failure();
        args.push_back(*s);
      }
      SmallVector<Value> outs;
      if (failed(ctx.parent.inlineSubgraph(body, args, outs, ctx)))
        return failure();
      for (size_t k = 0; k < numStates; ++k) {
        if (outs[k].getType() != states[k].getType())
          return ctx.invalid() << "state " << k << " changes type from "
                               << states[k].getType() << " to "
                               << outs[k].getType();
        states[k] = outs[k];
      }
      for (size_t k = 0; k < numOuts; ++k)
        perStep[k].push_back(outs[numStates + k]);
    }
    results.append(states);
    for (size_t k = 0; k < numOuts; ++k) {
      if (outReverse[k])
        std::reverse(perStep[k].begin(), perStep[k].end());
      auto type = cast<RankedTensorType>(perStep[k][0].getType());
      int64_t axis = outAxes[k];
      if (failed(ctx.normalizeAxis(axis, type.getRank() + 1,
                                   "scan_output_axes")))
        return failure();
      SmallVector<Value> parts;
      SmallVector<int64_t> shape(type.getShape());
      shape.insert(shape.begin() + axis, 1);
      for (Value v : perStep[k]) {
        if (v.getType() != type || !type.hasStaticShape())
          return ctx.unsupported() << "scan output " << k << " needs one "
                                      "static type in every iteration";
        FailureOr<Value> r = ctx.reshapeTo(v, shape);
        if (failed(r))
          return failure();
        parts.push_back(*r);
      }
      shape[axis] = steps;
      results.push_back(dsg::ConcatOp::create(
          e.b, e.loc, RankedTensorType::get(shape, type.getElementType()),
          parts, e.b.getI64IntegerAttr(axis)));
    }
    return success();
  }
};
} // namespace

LogicalResult mlir::ds::onnx_import::importScan(NodeContext &ctx) {
  const onnx::GraphProto *body = graphAttr(ctx, "body");
  if (!body)
    return failure();
  int64_t numScans = 0;
  if (!ctx.hasAttr("num_scan_inputs"))
    return ctx.invalid() << "the required attribute 'num_scan_inputs' is "
                            "missing";
  if (failed(ctx.intAttr("num_scan_inputs", numScans)))
    return failure();
  bool batched = ctx.sinceVersion() < 9;
  unsigned first = batched ? 1 : 0;
  if (batched && ctx.hasInput(0))
    return ctx.unsupported() << "sequence_lens is not supported";
  int64_t total = static_cast<int64_t>(ctx.numInputs()) - first;
  if (numScans < 1 || numScans > total)
    return ctx.invalid() << "expected 1 to " << total
                         << " scan inputs, found " << numScans;
  int64_t numStates = total - numScans;
  int64_t numOuts = body->output_size() - numStates;
  if (numOuts < 0 || body->input_size() != total ||
      ctx.numOutputs() != static_cast<unsigned>(body->output_size()))
    return ctx.invalid() << "the body's inputs and outputs do not match the "
                            "node's";
  for (unsigned i = first; i < ctx.numInputs(); ++i)
    if (!ctx.hasInput(i))
      return ctx.invalid() << "input " << i << " may not be omitted";
  for (unsigned i = 0; i < ctx.numOutputs(); ++i)
    if (!ctx.hasOutput(i))
      return ctx.unsupported() << "omitted outputs are not supported";

  Emitter e(ctx);
  ScanLoop loop{ctx, e, *body, {}, {}, {}, {}};
  loop.inAxes.assign(numScans, batched ? 0 : 0);
  loop.inReverse.assign(numScans, 0);
  loop.outAxes.assign(numOuts, 0);
  loop.outReverse.assign(numOuts, 0);
  if (batched) {
    if (failed(ctx.intsAttr("directions", loop.inReverse)))
      return failure();
  } else if (failed(ctx.intsAttr("scan_input_axes", loop.inAxes)) ||
             failed(ctx.intsAttr("scan_input_directions", loop.inReverse)) ||
             failed(ctx.intsAttr("scan_output_axes", loop.outAxes)) ||
             failed(ctx.intsAttr("scan_output_directions", loop.outReverse)))
    return failure();
  if (static_cast<int64_t>(loop.inAxes.size()) != numScans ||
      static_cast<int64_t>(loop.inReverse.size()) != numScans ||
      static_cast<int64_t>(loop.outAxes.size()) != numOuts ||
      static_cast<int64_t>(loop.outReverse.size()) != numOuts)
    return ctx.invalid() << "expected one axis and direction per scan input "
                            "and output";

  SmallVector<Value> states, scans;
  for (int64_t i = 0; i < numStates; ++i)
    states.push_back(ctx.input(first + i));
  for (int64_t i = 0; i < numScans; ++i)
    scans.push_back(ctx.input(first + numStates + i));

  SmallVector<Value> results;
  if (!batched) {
    if (failed(loop.run(states, scans, results)))
      return failure();
  } else {
    // Scan-8: dimension 0 of every input is the batch; run each batch
    // element and stack the results.
    int64_t batch = -1;
    for (Value v : llvm::concat<Value>(states, scans)) {
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() < 1 || !type.hasStaticShape())
        return ctx.unsupported() << "ds unrolls scans over static shapes "
                                    "with a batch dimension only, found "
                                 << type;
      if (batch >= 0 && type.getDimSize(0) != batch)
        return ctx.invalid() << "expected inputs of one batch size";
      batch = type.getDimSize(0);
    }
    if (batch * 1 > kMaxUnrolledIterations)
      return ctx.unsupported() << "batch too large to unroll";
    SmallVector<SmallVector<Value>> perBatch(body->output_size());
    for (int64_t b = 0; b < batch; ++b) {
      SmallVector<Value> bStates, bScans, outs;
      for (Value v : states) {
        FailureOr<Value> s = loop.slice(v, 0, b);
        if (failed(s))
          return failure();
        bStates.push_back(*s);
      }
      for (Value v : scans) {
        FailureOr<Value> s = loop.slice(v, 0, b);
        if (failed(s))
          return failure();
        bScans.push_back(*s);
      }
      loop.inAxes.assign(numScans, 0);
      if (failed(loop.run(bStates, bScans, outs)))
        return failure();
      for (auto [k, v] : llvm::enumerate(outs))
        perBatch[k].push_back(v);
    }
    for (auto &parts : perBatch) {
      auto type = cast<RankedTensorType>(parts[0].getType());
      SmallVector<int64_t> shape(type.getShape());
      shape.insert(shape.begin(), 1);
      SmallVector<Value> stacked;
      for (Value v : parts) {
        FailureOr<Value> r = ctx.reshapeTo(v, shape);
        if (failed(r))
          return failure();
        stacked.push_back(*r);
      }
      shape[0] = batch;
      results.push_back(dsg::ConcatOp::create(
          e.b, e.loc, RankedTensorType::get(shape, type.getElementType()),
          stacked, e.b.getI64IntegerAttr(0)));
    }
  }
  for (auto [i, v] : llvm::enumerate(results)) {
    FailureOr<RankedTensorType> declared =
        ctx.outputType(i, cast<RankedTensorType>(v.getType()));
    if (failed(declared))
      return failure();
    if (*declared != v.getType())
      return ctx.invalid() << "expected output " << i << " of type "
                           << v.getType() << ", found " << *declared;
    ctx.setOutput(i, v);
  }
  return success();
}
