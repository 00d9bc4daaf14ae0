"""CPU emulation of the kernels ds-gpu-mfma-matmul generates.

Reads one function in MLIR's generic form (ds-opt --mlir-print-op-generic)
whose body is the gpu.launch the pass built for a matmul, runs every thread
of every block on the CPU (arith / memref / vector / scf / gpu ops), with
gpu.barrier as a block-wide and amdgpu.mfma as a wave-wide (64-lane)
synchronization point, and compares C against A @ B + C computed directly.

The MFMA itself is modelled from AMD's documented operand layouts (CDNA3
ISA, matrix arithmetic chapter; AMD Matrix Instruction Calculator), written
in the direction the documents state them: entry (i, k) of A is element
k % kPerLane of lane i + 16 * (k // kPerLane), entry (k, j) of B element
k % kPerLane of lane j + 16 * (k // kPerLane), entry (i, j) of C/D element
i % 4 of lane j + 16 * (i // 4). The kernel's own index arithmetic comes
from the IR, so this checks the generated tiling, copies, lane formulas
and epilogue against that hardware model; it cannot check the model.

Inputs are small integers, so every product and sum is exact in f16, bf16
and f32 and the comparison is exact.

Usage: emulate_mfma_kernel.py FILE.mlir FUNC
"""
import re
import sys

import numpy as np

RESULT = re.compile(r'^(%[\w]+)(?::(\d+))? = (.*)$')
OP = re.compile(r'^"([\w.]+)"\(([^)]*)\)(.*)$')
BLOCK = re.compile(r'^\^bb\d+\((.*)\):$')


def parse_region(lines, i):
    """Parses blocks until the closing '})'; returns (blocks, next index)."""
    blocks = []
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith('})') or line.startswith('}, {'):
            return blocks, i
        m = BLOCK.match(line)
        if m:
            args = [a.split(':')[0].strip() for a in split_top(m.group(1))]
            blocks.append({'args': args, 'ops': [], 'header': line})
            i += 1
            continue
        if not blocks:
            blocks.append({'args': [], 'ops': [], 'header': ''})
        op, i = parse_op(lines, i)
        blocks[-1]['ops'].append(op)
    raise ValueError('unterminated region')


def split_top(text):
    out, depth, cur = [], 0, ''
    for ch in text:
        if ch in '<([{':
            depth += 1
        elif ch in '>)]}':
            depth -= 1
        if ch == ',' and depth == 0:
            out.append(cur)
            cur = ''
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def parse_op(lines, i):
    line = lines[i].strip()
    results = []
    m = RESULT.match(line)
    if m:
        name, count, line = m.group(1), m.group(2), m.group(3)
        results = ([name] if count is None else
                   ['%s#%d' % (name, n) for n in range(int(count))])
    m = OP.match(line)
    if not m:
        raise ValueError('cannot parse: ' + line)
    op = {'name': m.group(1), 'results': results,
          'operands': [o.strip() for o in m.group(2).split(',') if o.strip()],
          'text': m.group(3), 'regions': []}
    i += 1
    if op['text'].rstrip().endswith('({'):
        while True:
            blocks, i = parse_region(lines, i)
            op['regions'].append(blocks)
            closing = lines[i].strip()
            i += 1
            if closing.startswith('})'):
                op['text'] += closing
                break
    return op, i


def attr_int(op, key):
    return int(re.search(key + r' = (-?\d+)', op['text']).group(1))


def result_type(op):
    return op['text'].rsplit('->', 1)[1].strip()


def vec_len(type_text):
    m = re.search(r'vector<(\d+)x', type_text)
    return int(m.group(1))


class Thread:
    def __init__(self, env, mem):
        self.env, self.mem = env, mem

    def val(self, name):
        # Buffers are named by their SSA value; ops index self.mem by name.
        return self.mem[name] if name in self.mem else self.env[name]

    def run(self, ops):
        for op in ops:
            out = yield from self.step(op)
            if op['name'] == 'scf.yield':
                return out
            if op['results']:
                if len(op['results']) == 1 and not isinstance(out, tuple):
                    out = (out,)
                for r, v in zip(op['results'], out):
                    self.env[r] = v
        return None

    def step(self, op):
        n, a = op['name'], [self.val(o) for o in op['operands']]
        if n == 'arith.constant':
            t = op['text']
            m = re.search(r'value = dense<([^>]*)> : vector<(\d+)x', t)
            if m:
                return np.full(int(m.group(2)), float(m.group(1)))
            m = re.search(r'value = (-?[\d.e+]+) : (\w+)', t)
            return (int(m.group(1)) if m.group(2) in ('index', 'i32', 'i64')
                    else float(m.group(1)))
        if n == 'arith.addi':
            return a[0] + a[1]
        if n == 'arith.muli':
            return a[0] * a[1]
        if n == 'arith.divui':
            return a[0] // a[1]
        if n == 'arith.remui':
            return a[0] % a[1]
        if n == 'arith.minui':
            return min(a[0], a[1])
        if n == 'arith.cmpi':
            pred = attr_int(op, 'predicate')
            assert pred == 6, 'only ult is emulated'
            return a[0] < a[1]
        if n == 'arith.select':
            return a[1] if a[0] else a[2]
        if n == 'memref.load':
            return float(self.mem[op['operands'][0]][tuple(a[1:])])
        if n == 'memref.store':
            self.mem[op['operands'][1]][tuple(a[2:])] = a[0]
            return None
        if n == 'vector.load':
            width = vec_len(result_type(op))
            idx = a[1:]
            buf = self.mem[op['operands'][0]]
            return np.array(buf[tuple(idx[:-1])][idx[-1]:idx[-1] + width],
                            dtype=np.float64)
        if n == 'vector.store':
            v, idx = a[0], a[2:]
            buf = self.mem[op['operands'][1]]
            assert idx[-1] + len(v) <= buf.shape[-1], 'store past a row'
            buf[tuple(idx[:-1])][idx[-1]:idx[-1] + len(v)] = v
            return None
        if n == 'vector.from_elements':
            return np.array(a, dtype=np.float64)
        if n == 'vector.extract':
            pos = int(re.search(r'static_position = array<i64: (\d+)>',
                                op['text']).group(1))
            return float(a[0][pos])
        if n == 'gpu.barrier':
            yield ('barrier',)
            return None
        if n == 'amdgpu.mfma':
            d = yield ('mfma', attr_int(op, 'k'), a[0], a[1], a[2])
            return d
        if n == 'scf.for':
            lb, ub, st, carried = a[0], a[1], a[2], list(a[3:])
            body = op['regions'][0][0]
            iv = lb
            while iv < ub:
                self.env[body['args'][0]] = iv
                for name, v in zip(body['args'][1:], carried):
                    self.env[name] = v
                carried = list((yield from self.run(body['ops'])) or [])
                iv += st
            return tuple(carried)
        if n == 'scf.if':
            if a[0]:
                yield from self.run(op['regions'][0][0]['ops'])
            return None
        if n == 'scf.yield':
            return tuple(a)
        if n == 'gpu.terminator':
            return None
        raise ValueError('op not emulated: ' + n)


def mfma(k, lanes):
    """D for one wave; lanes[l] = (a, b, c) of lane l (the hardware model)."""
    per_lane = k // 4
    A = np.zeros((16, k))
    B = np.zeros((k, 16))
    C = np.zeros((16, 16))
    for i in range(16):
        for kk in range(k):
            a = lanes[i + 16 * (kk // per_lane)][0]
            A[i, kk] = a if per_lane == 1 else a[kk % per_lane]
    for kk in range(k):
        for j in range(16):
            b = lanes[j + 16 * (kk // per_lane)][1]
            B[kk, j] = b if per_lane == 1 else b[kk % per_lane]
    for i in range(16):
        for j in range(16):
            C[i, j] = lanes[j + 16 * (i // 4)][2][i % 4]
    D = A @ B + C
    return [np.array([D[4 * (l // 16) + e, l % 16] for e in range(4)])
            for l in range(64)]


def run_launch(launch, mem):
    body = launch['regions'][0][0]
    sizes = [launch['env'][o] for o in launch['operands']]
    grid, block = sizes[0:3], sizes[3:6]
    args = body['args']
    wg_types = re.findall(r'memref<([\dx]+)x\w+, #gpu.address_space<workgroup>>',
                          body['header'])
    for bz in range(grid[2]):
        for by in range(grid[1]):
            for bx in range(grid[0]):
                shared = [np.full([int(d) for d in t.split('x')], np.nan)
                          for t in wg_types]
                threads = []
                for tx in range(block[0]):
                    env = dict(launch['env'])
                    vals = [bx, by, bz, tx, 0, 0] + grid + block
                    env.update(zip(args[:12], vals))
                    local = dict(mem)
                    local.update(zip(args[12:], shared))
                    t = Thread(env, local)
                    threads.append(t.run(body['ops']))
                events = [next(g, None) for g in threads]
                while any(e is not None for e in events):
                    kinds = {e[0] if e else None for e in events}
                    assert len(kinds) == 1, 'threads diverged: %s' % kinds
                    if 'barrier' in kinds:
                        events = [safe_send(g, None) for g in threads]
                        continue
                    replies = []
                    for w in range(0, len(threads), 64):
                        wave = events[w:w + 64]
                        assert len(wave) == 64, 'partial wave'
                        ks = {e[1] for e in wave}
                        assert len(ks) == 1
                        replies += mfma(ks.pop(), [e[2:] for e in wave])
                    events = [safe_send(g, r) for g, r in zip(threads, replies)]


def safe_send(gen, value):
    try:
        return gen.send(value)
    except StopIteration:
        return None


def main():
    path, func = sys.argv[1], sys.argv[2]
    text = open(path).read()
    lines = [l for l in text.splitlines() if l.strip()]
    start = next(i for i, l in enumerate(lines)
                 if '"func.func"' in l and 'sym_name = "%s"' % func in l)
    fn, _ = parse_op(lines, start)
    entry = fn['regions'][0][0]
    types = re.search(r'function_type = \(([^)]*)\)', fn['text']).group(1)
    shapes = [[int(d) for d in t.split('<')[1].split('x')[:-1]]
              for t in split_top(types)]
    elem = re.findall(r'x([a-z]\w*)>', types)
    rng = np.random.default_rng(7)
    mem = {}
    for name, shape in zip(entry['args'], shapes):
        mem[name] = rng.integers(-3, 4, size=shape).astype(np.float64)
    a, b, c = (mem[n].copy() for n in entry['args'][:3])
    expected = np.matmul(a, b) + c
    env = {}
    launches = 0
    for op in entry['ops']:
        if op['name'] == 'arith.constant':
            env[op['results'][0]] = next_value(Thread(env, mem).step(op))
        elif op['name'] == 'gpu.launch':
            op['env'] = env
            run_launch(op, mem)
            launches += 1
        elif op['name'] == 'func.return':
            pass
        else:
            raise ValueError('unexpected op outside the launch: ' + op['name'])
    got = mem[entry['args'][2]]
    bad = np.argwhere(got != expected)
    print('%s: %d launch(es), %s %s, %d of %d entries differ' %
          (func, launches, 'x'.join(map(str, expected.shape)), elem[0],
           len(bad), expected.size))
    if len(bad):
        i = tuple(bad[0])
        print('first difference at %s: got %s, expected %s' %
              (i, got[i], expected[i]))
        sys.exit(1)


def next_value(gen):
    """Runs a Thread.step generator that does not synchronize (a constant)."""
    try:
        next(gen)
    except StopIteration as stop:
        return stop.value
    raise ValueError('a synchronizing op outside the launch')


if __name__ == '__main__':
    main()
