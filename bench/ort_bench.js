#!/usr/bin/env node
// ONNX Runtime (CPU) peer benchmark for ds.
//
// Usage:
//   node bench/ort_bench.js MODEL.onnx [--iters N] [--threads T] [--warmup W]
//                           [--test-data DIR] [--check] [--rtol R] [--atol A]
//
// Inputs come from DIR/input_*.pb (ONNX TensorProto files, as written by
// scripts/export_models.py) when --test-data is given, otherwise random
// inputs are generated from the model's graph-input metadata (dynamic dims
// become 1). After W warm-up runs, N timed runs are made, and one
// machine-readable line is printed on stdout:
//   ort median_ms=X min_ms=Y
// --check compares the outputs with DIR/output_*.pb and exits 1 on mismatch
// (|got-want| > atol + rtol*|want|); the result goes to stderr.
//
// Needs onnxruntime-node in bench/node_modules:
//   cd bench && npm install --ignore-scripts
// (the package's install script downloads GPU bits and fails offline; the
// bundled CPU library works without it).
'use strict';

const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  process.stderr.write(
      'ort_bench: cannot load onnxruntime-node (' + e.message + ')\n' +
      '  install it with: cd ' + __dirname +
      ' && npm install --ignore-scripts\n');
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Minimal protobuf reader
// ---------------------------------------------------------------------------

class Reader {
  constructor(buf, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }
  eof() { return this.pos >= this.end; }
  // Varint as BigInt (exact for int64/uint64).
  varintBig() {
    let result = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
    return result;
  }
  // Varint as a Number (for tags, lengths, enums, dims).
  varint() {
    let result = 0, mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 70) throw new Error('varint too long');
    }
    return result;
  }
  // Signed int64 varint as a Number.
  int64() { return Number(BigInt.asIntN(64, this.varintBig())); }
  bytes() {
    const n = this.varint();
    const s = this.pos;
    this.pos += n;
    if (this.pos > this.end) throw new Error('truncated length-delimited field');
    return [s, this.pos];
  }
  skip(wire) {
    switch (wire) {
      case 0: this.varintBig(); break;
      case 1: this.pos += 8; break;
      case 2: this.bytes(); break;
      case 5: this.pos += 4; break;
      default: throw new Error('unsupported wire type ' + wire);
    }
  }
  // Iterate fields: cb(fieldNumber, wireType) must consume the value
  // (or return false to have it skipped).
  fields(cb) {
    while (!this.eof()) {
      const key = this.varint();
      const field = Math.floor(key / 8), wire = key & 7;
      const at = this.pos;
      if (cb(field, wire) === false) {
        this.pos = at;
        this.skip(wire);
      }
    }
  }
  sub() {
    const [s, e] = this.bytes();
    return new Reader(this.buf, s, e);
  }
  string() {
    const [s, e] = this.bytes();
    return this.buf.toString('utf8', s, e);
  }
}

// Reads a repeated scalar field that may be packed (wire 2) or not.
function readRepeated(r, wire, one, out) {
  if (wire === 2) {
    const sub = r.sub();
    while (!sub.eof()) out.push(one(sub));
  } else {
    out.push(one(r));
  }
}

// ONNX TensorProto.DataType -> [ort type, TypedArray, element size]
const DTYPES = {
  1: ['float32', Float32Array, 4],
  2: ['uint8', Uint8Array, 1],
  3: ['int8', Int8Array, 1],
  4: ['uint16', Uint16Array, 2],
  5: ['int16', Int16Array, 2],
  6: ['int32', Int32Array, 4],
  7: ['int64', BigInt64Array, 8],
  9: ['bool', Uint8Array, 1],
  10: ['float16', Uint16Array, 2],
  11: ['float64', Float64Array, 8],
  12: ['uint32', Uint32Array, 4],
  13: ['uint64', BigUint64Array, 8],
};

// Parses a TensorProto: dims(1), data_type(2), float_data(4), int32_data(5),
// int64_data(7), name(8), raw_data(9), double_data(10), uint64_data(11).
function parseTensorProto(buf) {
  const r = new Reader(buf);
  const t = {dims: [], dataType: 0, name: '', raw: null,
             floatData: [], int32Data: [], int64Data: [], doubleData: [],
             uint64Data: [], external: false};
  r.fields((f, w) => {
    switch (f) {
      case 1: readRepeated(r, w, (x) => x.int64(), t.dims); return;
      case 2: t.dataType = r.varint(); return;
      case 4: readRepeated(r, w, (x) => {
                const v = x.buf.readFloatLE(x.pos); x.pos += 4; return v;
              }, t.floatData); return;
      case 5: readRepeated(r, w, (x) => Number(BigInt.asIntN(32, x.varintBig())),
                           t.int32Data); return;
      case 7: readRepeated(r, w, (x) => BigInt.asIntN(64, x.varintBig()),
                           t.int64Data); return;
      case 8: t.name = r.string(); return;
      case 9: { const [s, e] = r.bytes(); t.raw = buf.subarray(s, e); return; }
      case 10: readRepeated(r, w, (x) => {
                 const v = x.buf.readDoubleLE(x.pos); x.pos += 8; return v;
               }, t.doubleData); return;
      case 11: readRepeated(r, w, (x) => x.varintBig(), t.uint64Data); return;
      case 14: t.external = r.varint() === 1; return;  // data_location
      default: return false;
    }
  });
  return t;
}

function tensorFromProto(t) {
  const dt = DTYPES[t.dataType];
  if (!dt) throw new Error(`tensor '${t.name}': unsupported data_type ${t.dataType}`);
  if (t.external) throw new Error(`tensor '${t.name}': external data not supported`);
  const [ortType, Arr, size] = dt;
  const count = t.dims.reduce((a, b) => a * b, 1);
  let data;
  if (t.raw) {
    if (t.raw.length !== count * size) {
      throw new Error(`tensor '${t.name}': raw_data has ${t.raw.length} bytes, ` +
                      `expected ${count * size}`);
    }
    // Copy into a fresh, aligned ArrayBuffer (protobuf offsets are unaligned).
    const ab = new ArrayBuffer(t.raw.length);
    new Uint8Array(ab).set(t.raw);
    data = new Arr(ab);
  } else {
    let src;
    switch (t.dataType) {
      case 1: src = t.floatData; break;
      case 11: src = t.doubleData; break;
      case 7: src = t.int64Data; break;
      case 12: case 13: src = t.uint64Data; break;
      default: src = t.int32Data;  // int8/16/32, uint8/16, bool, float16 bits
    }
    if (src.length !== count) {
      throw new Error(`tensor '${t.name}': ${src.length} values, expected ${count}`);
    }
    if (t.dataType === 13) data = BigUint64Array.from(src);
    else if (t.dataType === 12) data = Uint32Array.from(src, (v) => Number(v));
    else data = Arr.from(src);
  }
  if (ortType === 'bool') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  return new ort.Tensor(ortType, data, t.dims);
}

function loadTensorFile(file) {
  const t = parseTensorProto(fs.readFileSync(file));
  return {name: t.name, tensor: tensorFromProto(t)};
}

// Graph inputs from a ModelProto: graph(7) -> input(11) ValueInfoProto
// name(1) type(2) -> TypeProto.tensor_type(1) -> elem_type(1), shape(2)
// -> TensorShapeProto.dim(1) -> dim_value(1) | dim_param(2).
function parseModelInputs(buf) {
  const inputs = [];
  const initNames = new Set();
  const m = new Reader(buf);
  m.fields((f, w) => {
    if (f !== 7 || w !== 2) return false;
    const g = m.sub();
    g.fields((gf, gw) => {
      if (gf === 5 && gw === 2) {  // initializer: only its name
        const t = g.sub();
        t.fields((tf) => {
          if (tf !== 8) return false;
          initNames.add(t.string());
        });
        return;
      }
      if (gf !== 11 || gw !== 2) return false;
      const vi = g.sub();
      const info = {name: '', elemType: 1, dims: []};
      vi.fields((vf) => {
        if (vf === 1) { info.name = vi.string(); return; }
        if (vf !== 2) return false;
        const tp = vi.sub();
        tp.fields((tf) => {
          if (tf !== 1) return false;
          const tt = tp.sub();
          tt.fields((ttf) => {
            if (ttf === 1) { info.elemType = tt.varint(); return; }
            if (ttf !== 2) return false;
            const sh = tt.sub();
            sh.fields((sf) => {
              if (sf !== 1) return false;
              const d = sh.sub();
              let v = null;
              d.fields((df) => {
                if (df === 1) { v = d.int64(); return; }
                return false;
              });
              info.dims.push(v !== null && v > 0 ? v : 1);  // dynamic -> 1
            });
          });
        });
      });
      inputs.push(info);
    });
  });
  return inputs.filter((i) => !initNames.has(i.name));
}

// Deterministic PRNG (mulberry32) for random inputs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTensor(info, rand) {
  const dt = DTYPES[info.elemType];
  if (!dt) throw new Error(`input '${info.name}': unsupported elem_type ${info.elemType}`);
  const [ortType, Arr] = dt;
  const n = info.dims.reduce((a, b) => a * b, 1);
  const data = new Arr(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    if (Arr === BigInt64Array || Arr === BigUint64Array) data[i] = BigInt(Math.floor(u * 8));
    else if (ortType === 'bool') data[i] = u < 0.5 ? 1 : 0;
    else if (ortType.startsWith('float') && ortType !== 'float16') data[i] = u * 2 - 1;
    else data[i] = Math.floor(u * 8);
  }
  return new ort.Tensor(ortType, data, info.dims);
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function usage(msg) {
  if (msg) process.stderr.write('ort_bench: ' + msg + '\n');
  process.stderr.write(
      'usage: node ort_bench.js MODEL.onnx [--iters N] [--threads T] ' +
      '[--warmup W] [--test-data DIR] [--check] [--rtol R] [--atol A]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const a = {model: null, iters: 20, threads: 2, warmup: null, testData: null,
             check: false, rtol: 1e-3, atol: 1e-4, seed: 1234};
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage('missing value for ' + s);
      return argv[++i];
    };
    const num = () => {
      const v = Number(val());
      if (!Number.isFinite(v)) usage('bad number for ' + s);
      return v;
    };
    if (s === '--iters') a.iters = num();
    else if (s === '--threads') a.threads = num();
    else if (s === '--warmup') a.warmup = num();
    else if (s === '--test-data') a.testData = val();
    else if (s === '--check') a.check = true;
    else if (s === '--rtol') a.rtol = num();
    else if (s === '--atol') a.atol = num();
    else if (s === '--seed') a.seed = num();
    else if (s === '-h' || s === '--help') usage();
    else if (s.startsWith('-')) usage('unknown option ' + s);
    else if (!a.model) a.model = s;
    else usage('extra argument ' + s);
  }
  if (!a.model) usage('no model given');
  if (a.iters < 1) usage('--iters must be >= 1');
  if (a.warmup === null) a.warmup = Math.max(3, Math.min(10, Math.floor(a.iters / 5)));
  if (a.check && !a.testData) usage('--check needs --test-data');
  return a;
}

function listPb(dir, prefix) {
  const re = new RegExp('^' + prefix + '_(\\d+)\\.pb$');
  return fs.readdirSync(dir)
      .map((f) => [f, re.exec(f)])
      .filter(([, m]) => m)
      .sort((x, y) => Number(x[1][1]) - Number(y[1][1]))
      .map(([f]) => path.join(dir, f));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });

  const feeds = {};
  if (args.testData) {
    const files = listPb(args.testData, 'input');
    if (files.length === 0) throw new Error('no input_*.pb in ' + args.testData);
    files.forEach((f, i) => {
      const {name, tensor} = loadTensorFile(f);
      // Tensor names should match graph inputs; fall back to position.
      const key = session.inputNames.includes(name) ? name : session.inputNames[i];
      if (key === undefined) throw new Error('more input files than model inputs');
      feeds[key] = tensor;
    });
  } else {
    const infos = parseModelInputs(fs.readFileSync(args.model));
    const byName = new Map(infos.map((i) => [i.name, i]));
    const rand = rng(args.seed);
    for (const name of session.inputNames) {
      const info = byName.get(name);
      if (!info) throw new Error(`no metadata for input '${name}'`);
      feeds[name] = randomTensor(info, rand);
    }
  }
  for (const name of session.inputNames) {
    if (!(name in feeds)) throw new Error(`input '${name}' not provided`);
  }

  let out;
  for (let i = 0; i < args.warmup; i++) out = await session.run(feeds);

  if (args.check) {
    if (!out) out = await session.run(feeds);
    const files = listPb(args.testData, 'output');
    let worst = 0, bad = 0;
    files.forEach((f, i) => {
      const {name, tensor: want} = loadTensorFile(f);
      const key = session.outputNames.includes(name) ? name : session.outputNames[i];
      const got = out[key];
      if (!got) throw new Error(`output '${key}' missing`);
      if (got.data.length !== want.data.length) {
        throw new Error(`output '${key}': ${got.data.length} values, ` +
                        `expected ${want.data.length}`);
      }
      for (let j = 0; j < want.data.length; j++) {
        const g = Number(got.data[j]), w = Number(want.data[j]);
        const d = Math.abs(g - w);
        if (d > worst) worst = d;
        if (!(d <= args.atol + args.rtol * Math.abs(w))) bad++;
      }
    });
    process.stderr.write(`ort check ${bad ? 'FAILED' : 'ok'} max_abs_err=` +
                         `${worst.toExponential(3)} mismatches=${bad}\n`);
    if (bad) process.exit(1);
  }

  const times = [];
  for (let i = 0; i < args.iters; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`ort median_ms=${median(times).toFixed(4)} ` +
              `min_ms=${Math.min(...times).toFixed(4)}`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write('ort_bench: ' + (e && e.stack ? e.stack : e) + '\n');
    process.exit(1);
  });
} else {
  module.exports = {parseTensorProto, tensorFromProto, parseModelInputs};
}
