// AssemblyScript source of the sparse kernels (compiled by ../build.ts with
// `asc --enable simd`; not TypeScript: tsconfig excludes this folder).
//
// A layer's weights, W [in, out] (a Dense kernel, a 1x1 convolution's), are
// stored by output unit as in XNNPACK's f32-spmm: for output o, its nonzeros'
// values and input indices (16 bits when the input has at most 65536
// entries, else 32), padded with zeros to a multiple of 4 so that the batch-1
// loop reads whole SIMD vectors; `rows[o]..rows[o+1]` (u32) delimit them.
// A padding entry has value 0 and the index of a real entry of its row (or 0).
//
// y[b, o] = act(bias[o] + sum over nonzeros of x[b, i] * W[i, o]).
// Activations: 0 linear, 1 relu, 2 relu6, applied as x < 0 ? 0 : x (NaN stays NaN).

/** Allocates `size` bytes (16-byte aligned) outside the garbage collector. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees a block from {@link alloc}. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

// @ts-ignore: decorator
@inline function activate(s: f32, act: i32): f32 {
  if (act == 1) return s < 0 ? 0 : s;
  if (act == 2) return s < 0 ? 0 : (s > 6 ? 6 : s);
  return s;
}

// @ts-ignore: decorator
@inline function sum4(v: v128): f32 {
  // Lanes summed pairwise: (0 + 2) + (1 + 3).
  const h = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
}

// @ts-ignore: decorator
@inline function gather<T>(x: usize, p: usize): v128 {
  const shift = 2;
  let v = f32x4.splat(load<f32>(x + (<usize>load<T>(p) << shift)));
  v = f32x4.replace_lane(v, 1, load<f32>(x + (<usize>load<T>(p, sizeof<T>()) << shift)));
  v = f32x4.replace_lane(v, 2, load<f32>(x + (<usize>load<T>(p, 2 * sizeof<T>()) << shift)));
  v = f32x4.replace_lane(v, 3, load<f32>(x + (<usize>load<T>(p, 3 * sizeof<T>()) << shift)));
  return v;
}

/** One input vector x [in] to y [out]: 4 nonzeros a step, their inputs gathered into one vector. */
// @ts-ignore: decorator
@inline function matVec<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, y: usize, act: i32): void {
  let start = load<u32>(rows);
  for (let o = 0; o < nOut; o++) {
    const end = load<u32>(rows + ((<usize>o + 1) << 2));
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    let k = start;
    // Two accumulators: the adds of consecutive steps do not wait for each other.
    for (; k + 8 <= end; k += 8) {
      const pi = idx + (<usize>k) * sizeof<T>();
      const pv = val + ((<usize>k) << 2);
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(pv), gather<T>(x, pi)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(pv, 16), gather<T>(x, pi + 4 * sizeof<T>())));
    }
    if (k < end) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(val + ((<usize>k) << 2)), gather<T>(x, idx + (<usize>k) * sizeof<T>())));
    }
    const s = load<f32>(bias + ((<usize>o) << 2)) + sum4(f32x4.add(acc0, acc1));
    store<f32>(y + ((<usize>o) << 2), activate(s, act));
    start = end;
  }
}

export function matVec16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, y: usize, act: i32): void {
  matVec<u16>(rows, idx, val, bias, nOut, x, y, act);
}

export function matVec32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, y: usize, act: i32): void {
  matVec<u32>(rows, idx, val, bias, nOut, x, y, act);
}

/**
 * Copies `n` (<= `width`) rows of x [*, nIn] from `x` into `dst` as [nIn][width]
 * (lane j of input i is row j's input i), zeros in the lanes past `n`.
 */
export function packBlock(x: usize, n: i32, nIn: i32, width: i32, dst: usize): void {
  memory.fill(dst, 0, (<usize>nIn * <usize>width) << 2);
  for (let j = 0; j < n; j++) {
    const row = x + ((<usize>j * <usize>nIn) << 2);
    const col = dst + ((<usize>j) << 2);
    for (let i = 0; i < nIn; i++) {
      store<f32>(col + ((<usize>i * <usize>width) << 2), load<f32>(row + ((<usize>i) << 2)));
    }
  }
}

/**
 * A block of 16 input rows packed by {@link packBlock} to y rows [n][nOut]:
 * each nonzero is broadcast and multiplies its input's 16 lanes (one 64-byte
 * line) into 4 accumulators.
 */
// @ts-ignore: decorator
@inline function block16<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  let start = load<u32>(rows);
  for (let o = 0; o < nOut; o++) {
    const end = load<u32>(rows + ((<usize>o + 1) << 2));
    const b = f32x4.splat(load<f32>(bias + ((<usize>o) << 2)));
    let a0 = b, a1 = b, a2 = b, a3 = b;
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(val + ((<usize>k) << 2)));
      const p = xb + ((<usize>load<T>(idx + (<usize>k) * sizeof<T>())) << 6);
      a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
      a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
      a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
      a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
    }
    // Padding entries add 0 * (a real input): exactly 0 for finite inputs; the
    // caller redoes rows with a non-finite input (exactRow).
    const yo = y + ((<usize>o) << 2);
    const stride = (<usize>nOut) << 2;
    const lanes = memory.data(64, 16);
    v128.store(lanes, a0);
    v128.store(lanes, a1, 16);
    v128.store(lanes, a2, 32);
    v128.store(lanes, a3, 48);
    for (let j = 0; j < n; j++) {
      store<f32>(yo + (<usize>j) * stride, activate(load<f32>(lanes + ((<usize>j) << 2)), act));
    }
    start = end;
  }
}

export function block16x16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  block16<u16>(rows, idx, val, bias, nOut, xb, n, y, act);
}

export function block16x32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  block16<u32>(rows, idx, val, bias, nOut, xb, n, y, act);
}

/** As block16, for a block of 4 rows packed [nIn][4]. */
// @ts-ignore: decorator
@inline function block4<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  let start = load<u32>(rows);
  const stride = (<usize>nOut) << 2;
  for (let o = 0; o < nOut; o++) {
    const end = load<u32>(rows + ((<usize>o + 1) << 2));
    let a = f32x4.splat(load<f32>(bias + ((<usize>o) << 2)));
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(val + ((<usize>k) << 2)));
      a = f32x4.add(a, f32x4.mul(w, v128.load(xb + ((<usize>load<T>(idx + (<usize>k) * sizeof<T>())) << 4))));
    }
    const yo = y + ((<usize>o) << 2);
    if (n > 0) store<f32>(yo, activate(f32x4.extract_lane(a, 0), act));
    if (n > 1) store<f32>(yo + stride, activate(f32x4.extract_lane(a, 1), act));
    if (n > 2) store<f32>(yo + 2 * stride, activate(f32x4.extract_lane(a, 2), act));
    if (n > 3) store<f32>(yo + 3 * stride, activate(f32x4.extract_lane(a, 3), act));
    start = end;
  }
}

export function block4x16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  block4<u16>(rows, idx, val, bias, nOut, xb, n, y, act);
}

export function block4x32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, xb: usize, n: i32, y: usize, act: i32): void {
  block4<u32>(rows, idx, val, bias, nOut, xb, n, y, act);
}

/**
 * Marks in `flags` [nIn] (u8) the non-finite entries of x [nIn]; returns how many.
 */
export function markNonFinite(x: usize, nIn: i32, flags: usize): i32 {
  let count = 0;
  for (let i = 0; i < nIn; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    const bad = !isFinite<f32>(v);
    store<u8>(flags + <usize>i, bad ? 1 : 0);
    if (bad) count++;
  }
  return count;
}

/**
 * One input row x with `nBad` non-finite entries (marked by markNonFinite) as
 * a dense product would compute it: the nonzeros' sum, and NaN wherever a
 * non-finite input meets a zero weight (0 * Inf and 0 * NaN are NaN).
 */
// @ts-ignore: decorator
@inline function exactRow<T>(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  let start = load<u32>(rows);
  for (let o = 0; o < nOut; o++) {
    const end = load<u32>(rows + ((<usize>o + 1) << 2));
    let s: f32 = load<f32>(bias + ((<usize>o) << 2));
    let met = 0;
    for (let k = start; k < end; k++) {
      const w = load<f32>(val + ((<usize>k) << 2));
      if (w == 0) continue; // padding
      const i = <usize>load<T>(idx + (<usize>k) * sizeof<T>());
      s += w * load<f32>(x + (i << 2));
      met += <i32>load<u8>(flags + i);
    }
    store<f32>(y + ((<usize>o) << 2), activate(met < nBad ? NaN : s, act));
    start = end;
  }
}

export function exactRow16(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  exactRow<u16>(rows, idx, val, bias, nOut, x, flags, nBad, y, act);
}

export function exactRow32(rows: usize, idx: usize, val: usize, bias: usize, nOut: i32, x: usize, flags: usize, nBad: i32, y: usize, act: i32): void {
  exactRow<u32>(rows, idx, val, bias, nOut, x, flags, nBad, y, act);
}
