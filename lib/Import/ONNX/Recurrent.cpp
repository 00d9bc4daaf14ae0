//===- Recurrent.cpp - ONNX RNN, GRU and LSTM, unrolled into dsg ops ------===//
//
// The recurrent ops are decomposed on import: the sequence length must be
// static, and the recurrence is unrolled into one step of dsg ops per time
// step, following the equations of the ONNX specification (versions 7 and
// 14; 14 adds `layout`).
//
// Each gate's input projection is computed for all time steps at once
// (`X * W^T + Wb + Rb`, a batched matmul); a step then gathers its slice and
// adds the recurrent projection `H * R^T`. `sequence_lens`, unless it is a
// constant equal to the sequence length everywhere, masks each step: a batch
// entry past its length keeps its state and writes zeros to `Y`. That also
// gives the reverse direction its per-batch start (the state stays at the
// initial one until the step at `length - 1`).
//
// `clip` bounds the pre-activations of the gates (the inputs of `f` and
// `g`), as onnxruntime does. `activation_alpha` / `activation_beta` are
// consumed in order by the activations that take parameters.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "Graph/GraphOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::ds::onnx_import;
namespace dsg = mlir::ds::graph;

namespace {

/// The most time steps that are unrolled; longer sequences are diagnosed
/// as unsupported rather than producing a huge function.
constexpr int64_t kMaxUnrolledSteps = 4096;

enum class Kind { RNN, GRU, LSTM };

/// One activation function with its parameters.
struct Activation {
  enum Func {
    Relu,
    Tanh,
    Sigmoid,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus
  } func;
  float alpha = 0.0f, beta = 0.0f;
};

/// Builds the dsg ops of one node.
struct Emitter {
  NodeContext &ctx;
  OpBuilder &b;
  Location loc;
  Type element;

  Emitter(NodeContext &ctx, Type element)
      : ctx(ctx), b(ctx.builder()), loc(ctx.getLoc()), element(element) {}

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elt = {}) {
    return RankedTensorType::get(shape, elt ? elt : element);
  }
  RankedTensorType bcast(Value x, Value y, Type elt = {}) {
    FailureOr<SmallVector<int64_t>> shape =
        dsg::broadcastShapes({typeOf(x).getShape(), typeOf(y).getShape()});
    return tensor(shape.value_or(SmallVector<int64_t>{}),
                  elt ? elt : typeOf(x).getElementType());
  }
  template <typename OpTy> Value binary(Value x, Value y) {
    return OpTy::create(b, loc, bcast(x, y), x, y);
  }
  Value add(Value x, Value y) { return binary<dsg::AddOp>(x, y); }
  Value mul(Value x, Value y) { return binary<dsg::MulOp>(x, y); }
  Value sub(Value x, Value y) { return binary<dsg::SubOp>(x, y); }
  template <typename OpTy> Value unary(Value x) {
    return OpTy::create(b, loc, x.getType(), x);
  }
  Value scalar(double value, Type elt = {}) {
    elt = elt ? elt : element;
    auto type = RankedTensorType::get({}, elt);
    Attribute attr = isa<FloatType>(elt)
                         ? Attribute(FloatAttr::get(elt, value))
                         : Attribute(IntegerAttr::get(
                               elt, static_cast<int64_t>(value)));
    return dsg::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef<Attribute>{attr}));
  }
  Value zeros(ArrayRef<int64_t> shape) {
    auto type = tensor(shape);
    return dsg::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, FloatAttr::get(element, 0)));
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    auto type = tensor(shape, typeOf(x).getElementType());
    if (type == x.getType())
      return x;
    return dsg::ReshapeOp::create(b, loc, TypeRange{type}, ValueRange{x},
                                  ArrayRef<NamedAttribute>{});
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(in.getDimSize(p));
    return dsg::TransposeOp::create(b, loc,
                                    tensor(shape, in.getElementType()), x,
                                    b.getDenseI64ArrayAttr(perm));
  }
  /// Entry `index` of dimension 0, with that dimension dropped.
  Value take(Value x, int64_t index) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape(in.getShape());
    shape[0] = 1;
    Value one = dsg::GatherOp::create(
        b, loc, tensor(shape, in.getElementType()), x,
        ctx.constantI64({index}), b.getI64IntegerAttr(0));
    return reshape(one, in.getShape().drop_front());
  }
  /// `size` entries of dimension `axis` from `start`.
  Value slice(Value x, int64_t axis, int64_t start, int64_t size) {
    RankedTensorType in = typeOf(x);
    SmallVector<int64_t> shape(in.getShape());
    shape[axis] = size;
    return dsg::SliceOp::create(b, loc, tensor(shape, in.getElementType()), x,
                                ctx.constantI64({start}),
                                ctx.constantI64({axis}), ctx.constantI64({1}));
  }
  Value concat(ValueRange values, int64_t axis) {
    if (values.size() == 1)
      return values.front();
    RankedTensorType first = typeOf(values.front());
    SmallVector<int64_t> shape(first.getShape());
    shape[axis] = 0;
    for (Value v : values)
      shape[axis] += typeOf(v).getDimSize(axis);
    return dsg::ConcatOp::create(b, loc, tensor(shape), values,
                                 b.getI64IntegerAttr(axis));
  }
  Value matmul(Value x, Value y) {
    RankedTensorType tx = typeOf(x), ty = typeOf(y);
    SmallVector<int64_t> shape(tx.getShape().drop_back());
    shape.push_back(ty.getShape().back());
    return dsg::MatMulOp::create(b, loc, tensor(shape), x, y);
  }
  Value clip(Value x, std::optional<float> bound) {
    if (!bound)
      return x;
    x = binary<dsg::MinOp>(x, scalar(*bound));
    return binary<dsg::MaxOp>(x, scalar(-*bound));
  }
  Value apply(const Activation &a, Value x) {
    switch (a.func) {
    case Activation::Relu:
      return unary<dsg::ReluOp>(x);
    case Activation::Tanh:
      return unary<dsg::TanhOp>(x);
    case Activation::Sigmoid:
      return unary<dsg::SigmoidOp>(x);
    case Activation::Affine: {
      // Operands built in statements: the order of ops created in call
      // arguments would depend on the compiler.
      Value beta = scalar(a.beta);
      Value scaled = mul(x, scalar(a.alpha));
      return add(scaled, beta);
    }
    case Activation::LeakyRelu:
      return dsg::LeakyReluOp::create(b, loc, x.getType(), x,
                                      b.getF32FloatAttr(a.alpha));
    case Activation::ThresholdedRelu:
      return dsg::ThresholdedReluOp::create(b, loc, x.getType(), x,
                                            b.getF32FloatAttr(a.alpha));
    case Activation::ScaledTanh: {
      Value alpha = scalar(a.alpha);
      Value inner = mul(x, scalar(a.beta));
      return mul(unary<dsg::TanhOp>(inner), alpha);
    }
    case Activation::HardSigmoid:
      return dsg::HardSigmoidOp::create(b, loc, x.getType(), x,
                                        b.getF32FloatAttr(a.alpha),
                                        b.getF32FloatAttr(a.beta));
    case Activation::Elu:
      return dsg::EluOp::create(b, loc, x.getType(), x,
                                b.getF32FloatAttr(a.alpha));
    case Activation::Softsign:
      return unary<dsg::SoftsignOp>(x);
    case Activation::Softplus:
      return unary<dsg::SoftplusOp>(x);
    }
    llvm_unreachable("unknown activation");
  }
};

/// The parsed node: attributes and the per-direction operands.
struct Recurrence {
  Kind kind;
  int64_t gates = 1;   // weight blocks in W / R: 1, 3, 4
  int64_t numActs = 1; // activations per direction: 1, 2, 3
  int64_t seqLen = 0, batch = 0, inputSize = 0, hidden = 0, dirs = 1;
  bool reverseOnly = false;
  bool batchFirst = false;
  bool linearBeforeReset = false;
  bool inputForget = false;
  std::optional<float> clip;
  SmallVector<Activation> acts; // numActs per direction
};

} // namespace

static LogicalResult parseActivations(NodeContext &ctx, Recurrence &r) {
  static const char *const kDefaults[3][3] = {
      {"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
  SmallVector<std::string> names;
  if (const onnx::AttributeProto *a = ctx.attr("activations")) {
    if (a->type() != onnx::AttributeProto::STRINGS)
      return ctx.invalid() << "expected attribute 'activations' to be a "
                              "list of strings";
    for (const std::string &s : a->strings())
      names.push_back(s);
    if (static_cast<int64_t>(names.size()) != r.numActs * r.dirs)
      return ctx.invalid() << "expected " << r.numActs * r.dirs
                           << " activations, found " << names.size();
  } else {
    for (int64_t d = 0; d < r.dirs; ++d)
      for (int64_t i = 0; i < r.numActs; ++i)
        names.push_back(kDefaults[r.numActs - 1][i]);
  }
  auto floats = [&](llvm::StringRef name,
                    SmallVectorImpl<float> &out) -> LogicalResult {
    const onnx::AttributeProto *a = ctx.attr(name);
    if (!a)
      return success();
    if (a->type() != onnx::AttributeProto::FLOATS)
      return ctx.invalid() << "expected attribute '" << name
                           << "' to be a list of floats";
    out.append(a->floats().begin(), a->floats().end());
    return success();
  };
  SmallVector<float> alphas, betas;
  if (failed(floats("activation_alpha", alphas)) ||
      failed(floats("activation_beta", betas)))
    return failure();
  size_t nextAlpha = 0, nextBeta = 0;
  auto param = [](SmallVectorImpl<float> &list, size_t &next, float dflt) {
    return next < list.size() ? list[next++] : dflt;
  };
  struct Known {
    const char *name;
    Activation::Func func;
    bool hasAlpha, hasBeta;
    float alpha, beta;
  };
  static const Known kKnown[] = {
      {"Relu", Activation::Relu, false, false, 0, 0},
      {"Tanh", Activation::Tanh, false, false, 0, 0},
      {"Sigmoid", Activation::Sigmoid, false, false, 0, 0},
      {"Affine", Activation::Affine, true, true, 1.0f, 0.0f},
      {"LeakyRelu", Activation::LeakyRelu, true, false, 0.01f, 0},
      {"ThresholdedRelu", Activation::ThresholdedRelu, true, false, 1.0f, 0},
      {"ScaledTanh", Activation::ScaledTanh, true, true, 1.0f, 1.0f},
      {"HardSigmoid", Activation::HardSigmoid, true, true, 0.2f, 0.5f},
      {"Elu", Activation::Elu, true, false, 1.0f, 0},
      {"Softsign", Activation::Softsign, false, false, 0, 0},
      {"Softplus", Activation::Softplus, false, false, 0, 0},
  };
  for (const std::string &name : names) {
    const Known *k = llvm::find_if(kKnown, [&](const Known &k) {
      return llvm::StringRef(k.name).equals_insensitive(name);
    });
    if (k == std::end(kKnown))
      return ctx.unsupported() << "activation '" << name
                               << "' is not supported";
    Activation a{k->func};
    if (k->hasAlpha)
      a.alpha = param(alphas, nextAlpha, k->alpha);
    if (k->hasBeta)
      a.beta = param(betas, nextBeta, k->beta);
    r.acts.push_back(a);
  }
  return success();
}

/// Checks the operand shapes and reads the attributes.
static LogicalResult parse(NodeContext &ctx, Kind kind, Recurrence &r) {
  r.kind = kind;
  r.gates = kind == Kind::RNN ? 1 : kind == Kind::GRU ? 3 : 4;
  r.numActs = kind == Kind::RNN ? 1 : kind == Kind::GRU ? 2 : 3;
  if (failed(ctx.expectInputs(3, kind == Kind::LSTM ? 8 : 6)))
    return failure();
  RankedTensorType x = ctx.inputType(0);
  if (!isa<FloatType>(x.getElementType()))
    return ctx.unsupported() << "ds imports it for floating-point inputs "
                                "only, found "
                             << x;
  for (unsigned i : {1u, 2u, 3u, 5u, 6u, 7u})
    if (ctx.hasInput(i) && ctx.inputType(i).getElementType() !=
                               x.getElementType())
      return ctx.invalid() << "expected input " << i << " of element type "
                           << x.getElementType() << ", found "
                           << ctx.inputType(i);

  std::string direction = "forward";
  int64_t layout = 0, lbr = 0, inputForget = 0, hidden = -1;
  if (failed(ctx.stringAttr("direction", direction)) ||
      failed(ctx.intAttr("hidden_size", hidden)))
    return failure();
  if (ctx.sinceVersion() >= 14 && failed(ctx.intAttr("layout", layout)))
    return failure();
  if (kind == Kind::GRU && failed(ctx.intAttr("linear_before_reset", lbr)))
    return failure();
  if (kind == Kind::LSTM && failed(ctx.intAttr("input_forget", inputForget)))
    return failure();
  if (ctx.hasAttr("clip")) {
    float c = 0;
    if (failed(ctx.floatAttr("clip", c)))
      return failure();
    if (!(c > 0))
      return ctx.invalid() << "expected a positive 'clip', found " << c;
    r.clip = c;
  }
  if (direction == "bidirectional")
    r.dirs = 2;
  else if (direction == "reverse")
    r.reverseOnly = true;
  else if (direction != "forward")
    return ctx.invalid() << "expected direction 'forward', 'reverse' or "
                            "'bidirectional', found '"
                         << direction << "'";
  if (layout != 0 && layout != 1)
    return ctx.invalid() << "expected layout 0 or 1, found " << layout;
  r.batchFirst = layout == 1;
  r.linearBeforeReset = lbr != 0;
  r.inputForget = inputForget != 0;

  if (x.getRank() != 3 || !x.hasStaticShape())
    return ctx.unsupported() << "ds imports it for a static 3-D input only, "
                                "found "
                             << x;
  r.seqLen = x.getDimSize(r.batchFirst ? 1 : 0);
  r.batch = x.getDimSize(r.batchFirst ? 0 : 1);
  r.inputSize = x.getDimSize(2);
  if (r.seqLen < 1 || r.seqLen > kMaxUnrolledSteps)
    return ctx.unsupported() << "sequence length " << r.seqLen
                             << " is outside the unrolled range [1, "
                             << kMaxUnrolledSteps << "]";
  RankedTensorType rt = ctx.inputType(2);
  if (hidden < 0)
    hidden = rt.getRank() == 3 ? rt.getDimSize(2) : ShapedType::kDynamic;
  if (hidden <= 0 || ShapedType::isDynamic(hidden))
    return ctx.invalid() << "expected a positive 'hidden_size' (or a static "
                            "R), found "
                         << rt;
  r.hidden = hidden;
  int64_t gh = r.gates * hidden;

  auto expect = [&](unsigned i, ArrayRef<int64_t> shape,
                    llvm::StringRef what) -> LogicalResult {
    if (!ctx.hasInput(i))
      return success();
    RankedTensorType t = ctx.inputType(i);
    if (t.getShape() != shape)
      return ctx.invalid() << "expected " << what << " of type "
                           << RankedTensorType::get(shape, t.getElementType())
                           << ", found " << t;
    return success();
  };
  auto shapeBH = [&](int64_t d) -> SmallVector<int64_t> {
    return r.batchFirst ? SmallVector<int64_t>{r.batch, d, hidden}
                        : SmallVector<int64_t>{d, r.batch, hidden};
  };
  if (failed(expect(1, {r.dirs, gh, r.inputSize}, "W")) ||
      failed(expect(2, {r.dirs, gh, hidden}, "R")) ||
      failed(expect(3, {r.dirs, 2 * gh}, "B")) ||
      failed(expect(5, shapeBH(r.dirs), "initial_h")))
    return failure();
  if (kind == Kind::LSTM &&
      (failed(expect(6, shapeBH(r.dirs), "initial_c")) ||
       failed(expect(7, {r.dirs, 3 * hidden}, "P"))))
    return failure();
  if (ctx.hasInput(4)) {
    RankedTensorType lens = ctx.inputType(4);
    if (!lens.getElementType().isInteger(32) ||
        lens.getShape() != ArrayRef<int64_t>{r.batch})
      return ctx.invalid() << "expected sequence_lens of type "
                           << RankedTensorType::get(
                                  {r.batch}, ctx.builder().getI32Type())
                           << ", found " << lens;
  }
  return parseActivations(ctx, r);
}

/// Per-direction operands: initial state (`[B, H]`), gate projections.
namespace {
struct Direction {
  SmallVector<Value> xw;  // per gate: X * W_g^T + biases, [T, B, H]
  SmallVector<Value> rT;  // per gate: R_g^T, [H, H]
  Value rbH;              // GRU with linear_before_reset: Rb_h, [H]
  SmallVector<Value> p;   // LSTM peepholes i, o, f: [H] each
  Value h0, c0;           // [B, H]
};
} // namespace

static Direction prepare(Emitter &e, NodeContext &ctx, const Recurrence &r,
                         Value x, Value h0, Value c0, int64_t d) {
  Direction dir;
  int64_t H = r.hidden, B = r.batch;
  Value w = e.take(ctx.input(1), d); // [G*H, I]
  Value rw = e.take(ctx.input(2), d);
  Value bias = ctx.hasInput(3) ? e.take(ctx.input(3), d) : Value();
  for (int64_t g = 0; g < r.gates; ++g) {
    Value wg = e.transpose(e.slice(w, 0, g * H, H), {1, 0}); // [I, H]
    Value proj = e.matmul(x, wg);                            // [T, B, H]
    if (bias) {
      Value wb = e.slice(bias, 0, g * H, H);
      Value rb = e.slice(bias, 0, (r.gates + g) * H, H);
      // GRU's hidden gate with linear_before_reset adds Rb_h inside.
      if (r.kind == Kind::GRU && g == 2 && r.linearBeforeReset)
        dir.rbH = rb;
      else
        wb = e.add(wb, rb);
      proj = e.add(proj, wb);
    }
    dir.xw.push_back(proj);
    dir.rT.push_back(e.transpose(e.slice(rw, 0, g * H, H), {1, 0}));
  }
  if (r.kind == Kind::LSTM && ctx.hasInput(7)) {
    Value p = e.take(ctx.input(7), d);
    for (int64_t g = 0; g < 3; ++g)
      dir.p.push_back(e.slice(p, 0, g * H, H));
  }
  dir.h0 = h0 ? e.take(h0, d) : e.zeros({B, H});
  if (r.kind == Kind::LSTM)
    dir.c0 = c0 ? e.take(c0, d) : e.zeros({B, H});
  return dir;
}

/// Runs one direction; returns Y ([T, 1, B, H], in time order), Y_h and Y_c
/// ([1, B, H]).
static std::tuple<Value, Value, Value>
runDirection(Emitter &e, const Recurrence &r, const Direction &dir,
             ArrayRef<Activation> acts, bool reverse, Value lens) {
  int64_t T = r.seqLen, B = r.batch, H = r.hidden;
  Value h = dir.h0, c = dir.c0;
  SmallVector<Value> ys(T);
  auto gateIn = [&](int64_t g, int64_t t, Value hPrev) {
    // Operands built in statements so that the IR does not depend on the
    // compiler's argument evaluation order.
    Value recurrent = e.matmul(hPrev, dir.rT[g]);
    Value input = e.take(dir.xw[g], t);
    return e.add(input, recurrent);
  };
  const Activation &f = acts[0];
  for (int64_t s = 0; s < T; ++s) {
    int64_t t = reverse ? T - 1 - s : s;
    Value hNew, cNew;
    switch (r.kind) {
    case Kind::RNN:
      hNew = e.apply(f, e.clip(gateIn(0, t, h), r.clip));
      break;
    case Kind::GRU: {
      const Activation &g = acts[1];
      Value z = e.apply(f, e.clip(gateIn(0, t, h), r.clip));
      Value rg = e.apply(f, e.clip(gateIn(1, t, h), r.clip));
      Value pre;
      if (r.linearBeforeReset) {
        Value rh = e.matmul(h, dir.rT[2]);
        if (dir.rbH)
          rh = e.add(rh, dir.rbH);
        Value gated = e.mul(rg, rh);
        pre = e.add(e.take(dir.xw[2], t), gated);
      } else {
        Value recurrent = e.matmul(e.mul(rg, h), dir.rT[2]);
        pre = e.add(e.take(dir.xw[2], t), recurrent);
      }
      Value hh = e.apply(g, e.clip(pre, r.clip));
      // H = (1 - z) * hh + z * H = hh + z * (H - hh).
      hNew = e.add(hh, e.mul(z, e.sub(h, hh)));
      break;
    }
    case Kind::LSTM: {
      const Activation &g = acts[1], &hAct = acts[2];
      auto peep = [&](Value pre, unsigned k, Value cell) {
        return dir.p.empty() ? pre : e.add(pre, e.mul(dir.p[k], cell));
      };
      Value i = e.apply(f, e.clip(peep(gateIn(0, t, h), 0, c), r.clip));
      Value fg = r.inputForget
                     ? e.sub(e.scalar(1.0), i)
                     : e.apply(f, e.clip(peep(gateIn(2, t, h), 2, c), r.clip));
      Value cc = e.apply(g, e.clip(gateIn(3, t, h), r.clip));
      Value fresh = e.mul(i, cc);
      cNew = e.add(e.mul(fg, c), fresh);
      Value o = e.apply(f, e.clip(peep(gateIn(1, t, h), 1, cNew), r.clip));
      hNew = e.mul(o, e.apply(hAct, cNew));
      break;
    }
    }
    Value y = hNew;
    if (lens) {
      Type lensType = Emitter::typeOf(lens).getElementType();
      Value valid = dsg::LessOp::create(
          e.b, e.loc, e.tensor({B}, e.b.getI1Type()), e.scalar(t, lensType),
          lens);
      valid = e.reshape(valid, {B, 1});
      auto select = [&](Value x, Value y) {
        return dsg::WhereOp::create(e.b, e.loc, e.tensor({B, H}), valid, x, y)
            .getResult();
      };
      y = select(hNew, e.scalar(0.0));
      hNew = select(hNew, h);
      if (cNew)
        cNew = select(cNew, c);
    }
    ys[t] = e.reshape(y, {1, 1, B, H});
    h = hNew;
    c = cNew;
  }
  Value yc = c ? e.reshape(c, {1, B, H}) : Value();
  return {e.concat(ys, 0), e.reshape(h, {1, B, H}), yc};
}

static LogicalResult setOutput(NodeContext &ctx, unsigned i, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  FailureOr<RankedTensorType> declared = ctx.outputType(i, type);
  if (failed(declared))
    return failure();
  if (*declared != type)
    return ctx.invalid() << "expected output " << i << " of type " << type
                         << ", found " << *declared;
  ctx.setOutput(i, value);
  return success();
}

static LogicalResult importRecurrent(NodeContext &ctx, Kind kind) {
  Recurrence r;
  if (failed(parse(ctx, kind, r)))
    return failure();
  Emitter e(ctx, ctx.inputType(0).getElementType());
  Value x = ctx.input(0);
  Value h0 = ctx.hasInput(5) ? ctx.input(5) : Value();
  Value c0 = kind == Kind::LSTM && ctx.hasInput(6) ? ctx.input(6) : Value();
  if (r.batchFirst) {
    x = e.transpose(x, {1, 0, 2});
    if (h0)
      h0 = e.transpose(h0, {1, 0, 2});
    if (c0)
      c0 = e.transpose(c0, {1, 0, 2});
  }
  Value lens;
  if (ctx.hasInput(4)) {
    std::optional<SmallVector<int64_t>> known = ctx.constantInts(4);
    if (known && llvm::any_of(*known, [&](int64_t n) {
          return n < 0 || n > r.seqLen;
        }))
      return ctx.invalid() << "expected sequence_lens in [0, " << r.seqLen
                           << "]";
    if (!known || llvm::any_of(*known, [&](int64_t n) { return n != r.seqLen; }))
      lens = ctx.input(4);
  }

  SmallVector<Value> ys, yhs, ycs;
  for (int64_t d = 0; d < r.dirs; ++d) {
    Direction dir = prepare(e, ctx, r, x, h0, c0, d);
    bool reverse = r.reverseOnly || d == 1;
    auto [y, yh, yc] = runDirection(
        e, r, dir, ArrayRef(r.acts).slice(d * r.numActs, r.numActs), reverse,
        lens);
    ys.push_back(y);
    yhs.push_back(yh);
    ycs.push_back(yc);
  }
  Value y = e.concat(ys, 1);   // [T, D, B, H]
  Value yh = e.concat(yhs, 0); // [D, B, H]
  Value yc = kind == Kind::LSTM ? e.concat(ycs, 0) : Value();
  if (r.batchFirst) {
    y = e.transpose(y, {2, 0, 1, 3});
    yh = e.transpose(yh, {1, 0, 2});
    if (yc)
      yc = e.transpose(yc, {1, 0, 2});
  }
  if (ctx.hasOutput(0) && failed(setOutput(ctx, 0, y)))
    return failure();
  if (ctx.hasOutput(1) && failed(setOutput(ctx, 1, yh)))
    return failure();
  if (kind == Kind::LSTM && ctx.hasOutput(2) && failed(setOutput(ctx, 2, yc)))
    return failure();
  return success();
}

LogicalResult mlir::ds::onnx_import::importRNN(NodeContext &ctx) {
  return importRecurrent(ctx, Kind::RNN);
}
LogicalResult mlir::ds::onnx_import::importGRU(NodeContext &ctx) {
  return importRecurrent(ctx, Kind::GRU);
}
LogicalResult mlir::ds::onnx_import::importLSTM(NodeContext &ctx) {
  return importRecurrent(ctx, Kind::LSTM);
}
